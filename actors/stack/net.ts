import type { StackCore } from './core.ts';
import { createInstrumentOrder } from './spawn.ts';
import type { InstrumentOrder } from './types.ts';

/**
 * Net instrument orders: for each strategy × instrument with several NEW orders (no children, no
 * fill), replace them by one order for their net trade (none if they cancel out).
 */
export async function netInstrumentOrders(
  core: StackCore,
): Promise<Array<{ key: string; removed: number[]; created?: number }>> {
  const groups = new Map<string, InstrumentOrder[]>();
  for (const o of core.orders('instrument')) {
    if (!o.active || o.state !== 'new' || o.children.length > 0 || o.fill !== 0 || o.locked) continue;
    const k = `${o.strategyName}/${o.instrumentCode}`;
    groups.set(k, [...(groups.get(k) ?? []), o]);
  }
  const out: Array<{ key: string; removed: number[]; created?: number }> = [];
  for (const [key, orders] of groups) {
    if (orders.length < 2) continue;
    const first = orders[0]!;
    for (const o of orders) await core.host.remove('instrument', o.id);
    const net = orders.reduce((s, o) => s + o.trade, 0);
    const created =
      net === 0
        ? undefined
        : await createInstrumentOrder(core, {
            strategyName: first.strategyName,
            instrumentCode: first.instrumentCode,
            trade: net,
            orderType: first.orderType,
            referencePrice: first.referencePrice,
            referenceContract: first.referenceContract,
            referenceDatetime: first.referenceDatetime,
            noNetting: true,
          });
    out.push({ key, removed: orders.map((o) => o.id), created: created?.id });
  }
  return out;
}
