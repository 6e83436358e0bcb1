/**
 * After every (re)connect, before any new order (stack-notes §1.3; peers §1.4, §2.4): open orders
 * (every client's), executions since the start of the day, positions, then reconcile:
 * - fills missed while disconnected come in as execDetails and are emitted once (deduplicated
 *   by execId in the order book);
 * - an order known only from today's executions (placed before a restart, no longer open) is
 *   kept as done, so its orderRef is never placed again;
 * - an order of ours that TWS knows neither as open nor by an execution never reached it: it is
 *   reported rejected (never sent again);
 * - orders at IB without an orderRef are reported as unknown broker orders;
 * - the positions are emitted so the stack can compare them with its own (position breaks lock).
 */
import type { BrokerEvent } from '../port.ts';
import type { IbQueries } from './ib-queries.ts';
import { isFinished } from '../orders.ts';
import type { IbOrderBook } from './order-book.ts';

export interface SyncTarget {
  readonly book: IbOrderBook;
  readonly queries: IbQueries;
  startOfDay(): number;
  emit(events: BrokerEvent[]): void;
}

export async function synchronise(t: SyncTarget): Promise<void> {
  const open = await t.queries.openOrders();
  const since = t.startOfDay();
  await t.queries.executions(since);
  const positions = await t.queries.positions();
  const openRefs = new Set(open.map((o) => o.orderRef));
  const filledRefs = new Set(t.book.fills(since).map((f) => f.orderRef));
  t.book.settleLearned(openRefs);
  const events: BrokerEvent[] = [];
  for (const rec of t.book.all()) {
    if (isFinished(rec.status) || openRefs.has(rec.orderRef) || filledRefs.has(rec.orderRef)) continue;
    events.push(...t.book.rejected(rec.orderId, 'not found at IB after reconnect (never reached TWS)'));
  }
  const unknownOrders = open.filter((o) => o.orderRef === '').map((o) => o.orderId);
  events.push({ type: 'reconciled', positions, unknownBrokerOrders: unknownOrders });
  t.emit(events);
}
