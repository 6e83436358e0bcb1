/**
 * Futures orders to IB. The IB order sent for a plan (combo.ts): its type (MKT, LMT, SNAP MKT),
 * size and side, a limit price in IB's units (price magnifier applied), our idempotency key in
 * `orderRef`, the account, a day order transmitted at once. Placing and modifying send the same
 * shape (a modify is a placeOrder with the order's own orderId).
 */
import { type IBApi, type Order, OrderType } from '@stoqey/ib';
import type { IbConnectionState } from '../../domain/broker/ib-connection.ts';
import { checkOrderRequest, existingOrder, isFinished } from '../orders.ts';
import type { BrokerOrderType, ContractId, PlacedOrder, PlaceOrderRequest } from '../port.ts';
import { type IbOrderPlan, planIbOrder } from './combo.ts';
import type { ResolvedContract } from './contracts.ts';
import { IbNotConnected, IbOrderUnsupported, IbUnknownOrder } from './errors.ts';
import { type IbInstrumentConfig, toIbPrice } from './ib-config.ts';
import type { IbOrderBook, IbOrderRecord } from './order-book.ts';

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

export interface IbOrdersDeps {
  book: IbOrderBook;
  instruments: IbInstrumentConfig;
  api(): IBApi;
  /** Our contract resolved at IB (its conId, exchange, multiplier). */
  resolve(c: ContractId): Promise<ResolvedContract>;
  connectionState(): IbConnectionState;
  account(): string | undefined;
  now(): number;
  nextOrderId(): number;
  requireReady(what: string): void;
}

/** An order's record as the replay of its orderRef. */
const replay = (r: IbOrderRecord) => existingOrder({ ...r, tempId: r.orderId });

/**
 * Futures orders to IB (the reference's `ibOrdersClient`: submit, modify, cancel). Our orderRef
 * is the key: placing a known orderRef returns the existing order, never sends it again.
 */
export class IbOrdersClient {
  constructor(private readonly d: IbOrdersDeps) {}

  async place(req: PlaceOrderRequest): Promise<PlacedOrder> {
    const known = this.d.book.get(req.orderRef);
    if (known) return replay(known);
    this.d.requireReady('place an order');
    checkOrderRequest(req);
    const plan = await planIbOrder(req.orderRef, req.legs, this.d.instruments, (c) => this.d.resolve(c));
    // Placed by another call while the contracts were resolved: that order, never a second one.
    const meanwhile = this.d.book.get(req.orderRef);
    if (meanwhile) return replay(meanwhile);
    this.d.requireReady('place an order');
    const orderId = this.d.nextOrderId();
    const submittedAt = this.d.now();
    // Recorded before it is sent: a second call with this orderRef returns it and never re-sends.
    this.d.book.add({
      orderRef: req.orderRef,
      orderId,
      permId: 0,
      contract: plan.first,
      qty: plan.qty,
      status: 'submitted',
      filledQty: 0,
      avgFillPrice: undefined,
      submittedAt,
      ...(plan.legs ? { legs: plan.legs } : {}),
    });
    const account = req.account ?? this.d.account();
    this.d
      .api()
      .placeOrder(
        orderId,
        plan.contract,
        ibOrder(plan, req.orderRef, req.orderType, req.limitPrice, account),
      );
    return { orderRef: req.orderRef, tempId: orderId, permId: 0, submittedAt, existing: false };
  }

  async modify(
    orderRef: string,
    change: { limitPrice?: number; orderType?: BrokerOrderType },
  ): Promise<void> {
    const rec = this.mustGet(orderRef);
    if (isFinished(rec.status)) return;
    this.d.requireReady('modify an order');
    const legs = rec.legs ?? [{ ...rec.contract, ratio: Math.sign(rec.qty) }];
    if (legs.length === 0)
      throw new IbOrderUnsupported(`order ${orderRef}: a combo whose legs are not known in this session`);
    const size = Math.abs(rec.qty);
    const plan = await planIbOrder(
      orderRef,
      legs.map((l) => ({
        instrumentCode: l.instrumentCode,
        contractDate: l.contractDate,
        qty: l.ratio * size,
      })),
      this.d.instruments,
      (c) => this.d.resolve(c),
    );
    const type = change.orderType ?? (change.limitPrice !== undefined ? 'limit' : 'market');
    this.d
      .api()
      .placeOrder(
        rec.orderId,
        plan.contract,
        ibOrder(plan, orderRef, type, change.limitPrice, this.d.account()),
      );
  }

  async cancel(orderRef: string): Promise<void> {
    const rec = this.mustGet(orderRef);
    if (isFinished(rec.status)) return;
    // Cancels are allowed while synchronising (not while TWS is cut off from IB).
    const state = this.d.connectionState();
    if (state !== 'ready' && state !== 'synchronising')
      throw new IbNotConnected(`cannot cancel ${orderRef}: connection ${state}`);
    this.d.api().cancelOrder(rec.orderId);
  }

  private mustGet(orderRef: string): IbOrderRecord {
    const rec = this.d.book.get(orderRef);
    if (!rec) throw new IbUnknownOrder(`IB broker: unknown orderRef '${orderRef}'`);
    return rec;
  }
}
