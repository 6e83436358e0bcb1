/**
 * The order stacks read from the order journal (JetStream or MongoDB, `openOrderJournal`) and the
 * stack state, with no stack handler running (issue 10 §7):
 * the three stacks (the last message of each order's subject in `<PREFIX>_STACK` is its
 * snapshot), one order with its event history (every message of its subject, then its family's
 * record in `<PREFIX>_HISTORY` once completed), and positions (the sum of `<PREFIX>_FILLS`, as the
 * handler keeps it) with the instrument locks. Read-only: nothing here writes or takes ownership.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { ActorEventBody } from '../host/order-host.ts';
import { openOrderJournal } from '../store/open-order-journal.ts';
import { readLockNotes, readLocks, readPositions, type StackPositions } from './read-model.ts';
import type { AnyOrder, OrderLevel } from './types.ts';

export type StackSnapshot = Record<OrderLevel, AnyOrder[]>;

/** Every order on the three stacks as last written (orders removed at end of day are gone). */
export async function readStacks(nc: NatsConnection, prefix: string): Promise<StackSnapshot> {
  const store = await openOrderJournal(nc, prefix);
  try {
    const out: StackSnapshot = { instrument: [], contract: [], broker: [] };
    for (const e of await store.loadStack<ActorEventBody<AnyOrder>>()) {
      if (e.data.removed) continue;
      out[e.data.record.level].push(e.data.record);
    }
    for (const l of Object.values(out)) l.sort((a, b) => a.id - b.id);
    return out;
  } finally {
    store.close();
  }
}

export interface OrderHistoryEntry {
  seq: number;
  events: string[];
  state: string;
  fill: number;
  version: number;
}

export interface OrderWithHistory {
  level: OrderLevel;
  id: number;
  /** The order as last written on its stack; undefined once removed at end of day. */
  order: AnyOrder | undefined;
  /** Every change written to the order's subject, oldest first. */
  history: OrderHistoryEntry[];
  /** The completed family's record in the history stream (the order as archived), if any. */
  archived: { completedAt: number; order: AnyOrder } | undefined;
}

interface FamilyRecord {
  completedAt: number;
  instrument: AnyOrder;
  contracts: AnyOrder[];
  brokers: AnyOrder[];
}

/** One order with its history; `order`, `history` and `archived` all empty when it never existed. */
export async function readOrder(
  nc: NatsConnection,
  prefix: string,
  level: OrderLevel,
  id: number,
): Promise<OrderWithHistory> {
  const store = await openOrderJournal(nc, prefix);
  const entries = await store
    .loadOrderEvents<ActorEventBody<AnyOrder>>(store.orderSubject(level, id))
    .finally(() => store.close());
  const history = entries.map((e) => ({
    seq: e.seq,
    events: e.data.events,
    state: e.data.record.state,
    fill: e.data.record.fill,
    version: e.data.record.version,
  }));
  const last = entries.at(-1)?.data;
  let archived: OrderWithHistory['archived'];
  const families = await store.loadHistory<FamilyRecord>();
  for (const f of families) {
    const all = [f.data.instrument, ...f.data.contracts, ...f.data.brokers];
    const found = all.find((o) => o.level === level && o.id === id);
    if (found) archived = { completedAt: f.data.completedAt, order: found };
  }
  return { level, id, order: last && !last.removed ? last.record : undefined, history, archived };
}

/** Positions from the fills stream and the instrument locks from KV (no broker positions: those need the live broker). */
export async function readPositionsAndLocks(
  nc: NatsConnection,
  prefix: string,
): Promise<
  StackPositions & { fills: number; locks: Record<string, string>; lock_reasons: Record<string, string> }
> {
  const [positions, locks, notes] = await Promise.all([
    readPositions(nc, prefix),
    readLocks(nc, prefix),
    readLockNotes(nc, prefix),
  ]);
  return { ...positions, locks: Object.fromEntries(locks), lock_reasons: Object.fromEntries(notes) };
}
