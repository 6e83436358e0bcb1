import { afterBrokerFill, confirmPlacements, onBrokerOrderStatus } from './algos.ts';
import type { StackCore } from './core.ts';
import { recordBrokerFill } from './fills.ts';
import type { BrokerOrder } from './types.ts';

/**
 * process_fills_stack (F1): (a) match every active, unfilled broker order to the broker's orders
 * (by orderRef, then temp id, then perm id) and apply fills we have not seen (fills missed while
 * down, or for orders no longer in the in-process cache); the fills travel up the family as
 * events (order-actors.ts).
 */
export async function processFillsStack(core: StackCore): Promise<number> {
  const { broker } = core.deps;
  // Placements with an unknown outcome first: one found at the broker is then swept as any other.
  await confirmPlacements(core);
  const open = core.activeOrders('broker', (b) => b.fill !== b.trade && b.brokerStatus !== 'pending-submit');
  let applied = 0;
  if (open.length > 0 && broker.isConnected()) {
    const [states, fills] = await Promise.all([broker.orders(), broker.fills(0)]);
    const byRef = new Map(states.map((s) => [s.orderRef, s]));
    const byTemp = new Map(states.map((s) => [s.tempId, s]));
    const byPerm = new Map(states.filter((s) => s.permId > 0).map((s) => [s.permId, s]));
    // The broker's fills by orderRef, temp id and perm id (one pass, not one per open order).
    const index = (key: (f: (typeof fills)[number]) => string | number | undefined) => {
      const m = new Map<string | number, typeof fills>();
      for (const f of fills) {
        const k = key(f);
        if (k === undefined || core.seenExecIds.has(f.execId)) continue;
        const list = m.get(k);
        if (list) list.push(f);
        else m.set(k, [f]);
      }
      return m;
    };
    const position = new Map(fills.map((f, i) => [f, i]));
    const fillsByRef = index((f) => f.orderRef);
    const fillsByTemp = index((f) => f.tempId);
    const fillsByPerm = index((f) => (f.permId > 0 ? f.permId : undefined));
    const match = (b: BrokerOrder) =>
      byRef.get(b.orderRef) ??
      (b.brokerTempId ? byTemp.get(b.brokerTempId) : undefined) ??
      (b.brokerPermId ? byPerm.get(b.brokerPermId) : undefined);
    for (const bo of open) {
      const s = match(bo);
      if (!s) {
        // A given-up placement is expected absent (placement.ts watches for its late arrival).
        if (bo.givenUpAt === undefined)
          core.log.warn({ broker_order_id: bo.id }, 'no matching order at the broker');
        continue;
      }
      // Through the order's mailbox: never interleaved with a fill or status being handled.
      applied += await core.enqueue(bo.orderRef, async () => {
        let n = 0;
        if (s.tempId !== bo.brokerTempId || s.permId !== bo.brokerPermId) {
          core.host.change('broker', bo.id, 'BROKER_IDS', (b) => {
            b.brokerTempId = s.tempId;
            b.brokerPermId = s.permId;
          });
        }
        const candidates = new Set([
          ...(fillsByRef.get(s.orderRef) ?? []),
          ...(fillsByTemp.get(s.tempId) ?? []),
          ...(s.permId > 0 ? (fillsByPerm.get(s.permId) ?? []) : []),
        ]);
        // In the broker's order, as before (not grouped by how they matched).
        const mine = [...candidates]
          .filter((f) => !core.seenExecIds.has(f.execId))
          .sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
        for (const f of mine) {
          if ((await recordBrokerFill(core, { ...f, orderRef: bo.orderRef })) === 'applied') n++;
        }
        afterBrokerFill(core, bo.id);
        await onBrokerOrderStatus(core, s);
        return n;
      });
    }
  }
  return applied;
}

/** Record every fill the broker reports that we have not seen (matched or not). */
export async function recordUnseenBrokerFills(core: StackCore): Promise<number> {
  let n = 0;
  for (const f of await core.deps.broker.fills(0)) {
    if (core.seenExecIds.has(f.execId)) continue;
    const recorded = await core.enqueue(f.orderRef, async () => {
      if (core.seenExecIds.has(f.execId) || (await recordBrokerFill(core, f)) === 'foreign') return false;
      const id = core.byOrderRef.get(f.orderRef);
      if (id !== undefined) afterBrokerFill(core, id);
      return true;
    });
    if (recorded) n++;
  }
  return n;
}
