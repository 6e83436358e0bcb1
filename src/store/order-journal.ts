/**
 * The order journal port: the order stacks' events (one subject per order actor, the last
 * message its snapshot), fills (written once per execution id, late commissions joined) and the
 * history of completed orders. Subjects are the JetStream backend's:
 * `<prefix>.stack.<level>.<id>`, `<prefix>.fills.<instrument>`, `<prefix>.history.<level>.<id>`.
 *
 * Backends: JetStream (`actors/store/order-event-store.ts`, streams STACK, FILLS, HISTORY with
 * message ids and expected last subject sequences) and MongoDB (`mongo/order-journal.ts`, unique
 * ids and an expected version per subject).
 */
import type { JournalEntry } from './journal.ts';

/** Token-safe form of an id or code for a subject. */
export const subjectToken = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '_');

export interface OrderJournal {
  readonly prefix: string;
  orderSubject(level: string, id: number): string;
  /** Append an actor's event; returns the new position, the `expectedSeq` of the next append. */
  appendOrder(subj: string, body: unknown, msgID: string, expectedSeq: number): Promise<number>;
  /** Append a fill once: the execution id is its unique id. */
  appendFill(
    instrumentCode: string,
    execId: string,
    body: unknown,
  ): Promise<{ seq: number; duplicate: boolean }>;
  /** A commission reported after its fill, once per execution id; `loadFills` joins it in. */
  appendCommission(
    instrumentCode: string,
    execId: string,
    commission: number,
    commissionCurrency: string,
  ): Promise<void>;
  appendHistory(level: string, id: number, body: unknown): Promise<void>;
  /** Remove every message of an order's subject (end-of-day removal, after it went to history). */
  purgeOrder(subj: string): Promise<void>;
  loadStack<T>(): Promise<Array<JournalEntry<T>>>;
  loadFills<T>(): Promise<Array<JournalEntry<T>>>;
  loadHistory<T>(): Promise<Array<JournalEntry<T>>>;
  /** Messages written by this store, by kind (`stack`, `fills`, `history`). */
  readonly writes: ReadonlyMap<string, number>;
  close(): void;
}

/** A commission reported after its fill, stored beside the fill records. */
export interface CommissionEntry {
  commissionFor: string;
  commission: number;
  commissionCurrency: string;
}

function isCommissionEntry(d: unknown): d is CommissionEntry {
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof (d as { commissionFor?: unknown }).commissionFor === 'string'
  );
}

/**
 * The fill records in order, each with its commission (`commission`, `commissionCurrency`)
 * joined by execution id when it came after the fill.
 */
export function joinLateCommissions<T>(
  all: Array<JournalEntry<T | CommissionEntry>>,
): Array<JournalEntry<T>> {
  const late = new Map<string, CommissionEntry>();
  for (const e of all) if (isCommissionEntry(e.data)) late.set(e.data.commissionFor, e.data);
  const out: Array<JournalEntry<T>> = [];
  for (const e of all) {
    const d = e.data;
    if (isCommissionEntry(d)) continue;
    const execId = (d as { execId?: unknown }).execId;
    const c = typeof execId === 'string' ? late.get(execId) : undefined;
    out.push(
      c && (d as { commission?: unknown }).commission === undefined
        ? { ...e, data: { ...d, commission: c.commission, commissionCurrency: c.commissionCurrency } }
        : { ...e, data: d },
    );
  }
  return out;
}
