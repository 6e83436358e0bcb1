/**
 * Spot FX through IB (interactive_order_stack "Cash FX trade", the reference's
 * `broker_fx_market_order`): a market order on IB's CASH contract `ccy1.ccy2` at IDEALPRO, sent
 * with our orderRef; and the cash balances per currency (account summary `$LEDGER:ALL`, tag
 * CashBalance). FX orders are not on our stacks: their order reports and executions are left out
 * of the futures order book (attach.ts), and a replay of an orderRef is answered from this
 * session's record only.
 */
import { type Contract, type IBApi, type Order, OrderAction, OrderType, SecType } from '@stoqey/ib';
import type { CashBalance, FxOrderRequest, PlacedOrder } from '../port.ts';
import type { IbRequests } from './requests.ts';

export interface IbCashDeps {
  api(): IBApi;
  requests: IbRequests;
  account(): string | undefined;
  now(): number;
  nextOrderId(): number;
  requireReady(what: string): void;
}

/** IB's spot FX contract for a pair in market convention (GBP.USD buys pounds with dollars). */
export const cashContract = (ccy1: string, ccy2: string): Contract => ({
  secType: SecType.CASH,
  symbol: ccy1,
  currency: ccy2,
  exchange: 'IDEALPRO',
});

export function fxMarketOrder(req: FxOrderRequest, account: string | undefined): Order {
  return {
    action: req.qty > 0 ? OrderAction.BUY : OrderAction.SELL,
    totalQuantity: Math.abs(req.qty),
    orderType: OrderType.MKT,
    orderRef: req.orderRef,
    ...(account === undefined ? {} : { account }),
    tif: 'DAY',
    transmit: true,
  };
}

export class IbCashDesk {
  private readonly placed = new Map<string, PlacedOrder>();

  constructor(private readonly d: IbCashDeps) {}

  place(req: FxOrderRequest): PlacedOrder {
    const known = this.placed.get(req.orderRef);
    if (known) return { ...known, existing: true };
    this.d.requireReady('place an FX order');
    const orderId = this.d.nextOrderId();
    const order: PlacedOrder = {
      orderRef: req.orderRef,
      tempId: orderId,
      permId: 0,
      submittedAt: this.d.now(),
      existing: false,
    };
    this.placed.set(req.orderRef, order);
    this.d
      .api()
      .placeOrder(
        orderId,
        cashContract(req.ccy1, req.ccy2),
        fxMarketOrder(req, req.account ?? this.d.account()),
      );
    return order;
  }

  async balances(): Promise<CashBalance[]> {
    type Row = { account: string; tag: string; value: string; currency: string };
    const rows = await this.d.requests.open<Row>('cash balances', (id) =>
      this.d.api().reqAccountSummary(id, 'All', '$LEDGER:ALL'),
    );
    const acct = this.d.account();
    return rows
      .filter(
        (r) => r.tag === 'CashBalance' && r.currency !== 'BASE' && (acct === undefined || r.account === acct),
      )
      .map((r) => ({ currency: r.currency, balance: Number(r.value) }))
      .filter((b) => Number.isFinite(b.balance))
      .sort((a, b) => a.currency.localeCompare(b.currency));
  }
}
