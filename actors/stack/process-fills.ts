import { afterBrokerFill, onBrokerOrderStatus } from './algos.ts';
import type { StackCore } from './core.ts';
import { aggregateUp, recordBrokerFill } from './fills.ts';
import type { BrokerOrder } from './types.ts';

/**
 * process_fills_stack (F1): (a) match every active, unfilled broker order to the broker's orders
 * (by orderRef, then temp id, then perm id) and apply fills we have not seen (fills missed while
 * down, or for orders no longer in the in-process cache); (b, c) re-aggregate contract and
 * instrument fills from their children.
 */
export async function processFillsStack(core: StackCore): Promise<number> {
  const { broker } = core.deps;
  const open = core
    .orders('broker')
    .filter((b) => b.active && b.fill !== b.trade && b.brokerStatus !== 'pending-submit');
  let applied = 0;
  if (open.length > 0 && broker.isConnected()) {
    const [states, fills] = await Promise.all([broker.orders(), broker.fills(0)]);
    const byRef = new Map(states.map((s) => [s.orderRef, s]));
    const byTemp = new Map(states.map((s) => [s.tempId, s]));
    const byPerm = new Map(states.filter((s) => s.permId > 0).map((s) => [s.permId, s]));
    const match = (b: BrokerOrder) =>
      byRef.get(b.orderRef) ??
      (b.brokerTempId ? byTemp.get(b.brokerTempId) : undefined) ??
      (b.brokerPermId ? byPerm.get(b.brokerPermId) : undefined);
    for (const bo of open) {
      const s = match(bo);
      if (!s) {
        core.log.warn({ broker_order_id: bo.id }, 'no matching order at the broker');
        continue;
      }
      // Through the order's mailbox: never interleaved with a fill or status being handled.
      applied += await core.enqueue(bo.orderRef, async () => {
        let n = 0;
        if (s.tempId !== bo.brokerTempId || s.permId !== bo.brokerPermId) {
          core.host.change('broker', bo.id, 'BROKER_IDS', (r) => {
            (r as BrokerOrder).brokerTempId = s.tempId;
            (r as BrokerOrder).brokerPermId = s.permId;
          });
        }
        const mine = fills.filter(
          (f) =>
            (f.orderRef === s.orderRef || f.tempId === s.tempId || (s.permId > 0 && f.permId === s.permId)) &&
            !core.seenExecIds.has(f.execId),
        );
        for (const f of mine) {
          if ((await recordBrokerFill(core, { ...f, orderRef: bo.orderRef })) === 'applied') n++;
        }
        afterBrokerFill(core, bo.id);
        await onBrokerOrderStatus(core, s);
        return n;
      });
    }
  }
  for (const co of core.orders('contract')) if (co.active) aggregateUp(core, co.id);
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
