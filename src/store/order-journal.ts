/**
 * The order journal port: the order stacks' events (one subject per order actor, the last
 * message its snapshot), fills (written once per execution id, late commissions and broker
 * corrections joined) and the history of completed orders. Subjects are the JetStream backend's:
 * `<prefix>.stack.<level>.<id>`, `<prefix>.fills.<instrument>`, `<prefix>.history.<level>.<id>`.
 *
 * Backends: JetStream (`actors/store/order-event-store.ts`, streams STACK, FILLS, HISTORY with
 * message ids and expected last subject sequences) and MongoDB (`mongo/order-journal.ts`,
 * collections `stack`, `fills`, `history` with unique ids and an expected version per subject),
 * chosen by `openOrderJournal` (`actors/store/open-order-journal.ts`) from `storage_backend`.
 */
import type { JournalEntry } from './journal.ts';

/** Token-safe form of an id or code for a subject. */
export const subjectToken = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '_');

/** Raised when another writer moved an actor's subject on: this host no longer owns the actor. */
export class OwnershipLostError extends Error {
  override name = 'OwnershipLostError';
}

export interface OrderJournal {
  readonly prefix: string;
  orderSubject(level: string, id: number): string;
  /**
   * Append an actor's event; returns the new position, the `expectedSeq` of the next append. A
   * `msgID` written before is not written again (its position is returned); an `expectedSeq`
   * that is not the subject's last position fails with `OwnershipLostError`.
   */
  appendOrder(subj: string, body: unknown, msgID: string, expectedSeq: number): Promise<number>;
  /** Append a fill once: the execution id is its unique id. */
  appendFill(
    instrumentCode: string,
    execId: string,
    body: unknown,
  ): Promise<{ seq: number; duplicate: boolean }>;
  /**
   * A commission reported after its fill, once per execution id (after a correction, once per
   * `revision`, the correcting execution id); `loadFills` joins it in.
   */
  appendCommission(
    instrumentCode: string,
    execId: string,
    commission: number,
    commissionCurrency: string,
    revision?: string,
  ): Promise<void>;
  /** A broker's correction of a fill, once per correcting execution id; `loadFills` applies it. */
  appendCorrection(instrumentCode: string, body: CorrectionEntry): Promise<void>;
  /**
   * A completed order's family record, once per order; with `revision` (a broker's correction
   * after completion, `<execId>:<correcting execId>`) an amended record, once per revision. The
   * last record of an order is its history (`loadHistory`, `lastHistory`).
   */
  appendHistory(level: string, id: number, body: unknown, revision?: string): Promise<void>;
  /** The last history record of one order (undefined before it completed). */
  lastHistory<T>(level: string, id: number): Promise<T | undefined>;
  /** Remove every message of an order's subject (end-of-day removal, after it went to history). */
  purgeOrder(subj: string): Promise<void>;
  /** The last message of every order subject (each actor's snapshot), in journal order. */
  loadStack<T>(): Promise<Array<JournalEntry<T>>>;
  /** Every message of one order's subject, oldest first (its event history). */
  loadOrderEvents<T>(subj: string): Promise<Array<JournalEntry<T>>>;
  /** Every message of every order subject, in the order written (the visualizer's replay). */
  loadStackEvents<T>(): Promise<Array<JournalEntry<T>>>;
  loadFills<T>(): Promise<Array<JournalEntry<T>>>;
  /** The last history record of every completed order (an amended one replaces the first). */
  loadHistory<T>(): Promise<Array<JournalEntry<T>>>;
  /** Messages written by this store, by kind (`stack`, `fills`, `history`). */
  readonly writes: ReadonlyMap<string, number>;
  /** Characters of the messages written by this store, by kind, where the backend counts them. */
  readonly writtenChars?: ReadonlyMap<string, number>;
  close(): void;
}

/** A commission reported after its fill, stored beside the fill records. */
export interface CommissionEntry {
  commissionFor: string;
  commission: number;
  commissionCurrency: string;
}

/** A broker's correction of a fill's values (IB), stored beside the fill (see appendCorrection). */
export interface CorrectionEntry {
  correctionOf: string;
  correctedBy: string;
  qty: number;
  price: number;
  time: number;
  commission?: number;
  commissionCurrency?: string;
}

function isCorrectionEntry(d: unknown): d is CorrectionEntry {
  return (
    typeof d === 'object' && d !== null && typeof (d as { correctionOf?: unknown }).correctionOf === 'string'
  );
}

function isCommissionEntry(d: unknown): d is CommissionEntry {
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof (d as { commissionFor?: unknown }).commissionFor === 'string'
  );
}

/**
 * The fill records in journal order, from the fills journal's messages: what came after each
 * fill is joined by execution id — a correction replaces its quantity, price and time and clears
 * its commission; a commission report then sets it.
 */
export function joinFillEntries<T>(
  all: Array<JournalEntry<T | CommissionEntry | CorrectionEntry>>,
): Array<JournalEntry<T>> {
  type After = { correction?: CorrectionEntry; commission?: CommissionEntry; cleared?: boolean };
  const after = new Map<string, After>();
  const at = (id: string): After => {
    let a = after.get(id);
    if (!a) after.set(id, (a = {}));
    return a;
  };
  for (const e of all) {
    const d = e.data;
    if (isCorrectionEntry(d)) {
      const a = at(d.correctionOf);
      a.correction = d;
      a.commission = undefined;
      a.cleared = true;
    } else if (isCommissionEntry(d)) at(d.commissionFor).commission = d;
  }
  const out: Array<JournalEntry<T>> = [];
  for (const e of all) {
    const d = e.data;
    if (isCommissionEntry(d) || isCorrectionEntry(d)) continue;
    const execId = (d as { execId?: unknown }).execId;
    const a = typeof execId === 'string' ? after.get(execId) : undefined;
    if (!a) {
      out.push({ ...e, data: d });
      continue;
    }
    let rec: Record<string, unknown> = { ...(d as Record<string, unknown>) };
    if (a.correction) {
      const c = a.correction;
      rec = { ...rec, qty: c.qty, price: c.price, time: c.time, correctedBy: c.correctedBy };
      delete rec.commission;
      delete rec.commissionCurrency;
      if (c.commission !== undefined)
        rec = { ...rec, commission: c.commission, commissionCurrency: c.commissionCurrency ?? '' };
    }
    const c = a.commission;
    if (c && (a.cleared === true || rec.commission === undefined))
      rec = { ...rec, commission: c.commission, commissionCurrency: c.commissionCurrency };
    out.push({ ...e, data: rec as T });
  }
  return out;
}
