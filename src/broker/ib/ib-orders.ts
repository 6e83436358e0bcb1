/**
 * The IB order sent for a plan (combo.ts): its type (MKT, LMT, SNAP MKT), size and side, a limit
 * price in IB's units (price magnifier applied), our idempotency key in `orderRef`, the account,
 * a day order transmitted at once. Placing and modifying send the same shape (a modify is a
 * placeOrder with the order's own orderId).
 */
import { type Order, OrderType } from '@stoqey/ib';
import type { BrokerOrderType } from '../port.ts';
import type { IbOrderPlan } from './combo.ts';
import { toIbPrice } from './ib-config.ts';

const IB_ORDER_TYPE: Record<BrokerOrderType, OrderType> = {
  market: OrderType.MKT,
  limit: OrderType.LMT,
  'snap-market': OrderType.SNAP_MKT,
};

export function ibOrder(
  plan: IbOrderPlan,
  orderRef: string,
  type: BrokerOrderType,
  limitPrice: number | undefined,
  account: string | undefined,
): Order {
  return {
    action: plan.action,
    totalQuantity: plan.totalQuantity,
    orderType: IB_ORDER_TYPE[type],
    ...(type === 'limit' && limitPrice !== undefined ? { lmtPrice: toIbPrice(limitPrice, plan.cfg) } : {}),
    orderRef,
    ...(account === undefined ? {} : { account }),
    tif: 'DAY',
    transmit: true,
  };
}
