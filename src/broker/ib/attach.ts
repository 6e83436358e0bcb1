/**
 * IB's events → the adapter: replies routed to their requests by reqId, order errors by orderId,
 * order and fill reports into the order book (whose BrokerEvents are emitted).
 */
import {
  type CommissionReport,
  type Contract,
  type ContractDetails,
  EventName,
  type Execution,
  type IBApi,
  isNonFatalError,
  type Order,
  type OrderState,
  SecType,
} from '@stoqey/ib';
import type { BrokerEvent, BrokerPosition, ContractId } from '../port.ts';
import { contractIdOf, instrumentOf } from './contracts.ts';
import { fromIbPrice, type IbInstrumentConfig } from './ib-config.ts';
import { type HistoricalRow, ibTime, type TickRow } from './ib-market.ts';
import type { ComboLeg, IbOrderBook } from './order-book.ts';
import { type IbRequests, OPEN_ORDERS_ID, POSITIONS_ID } from './requests.ts';

export interface IbEventSink {
  readonly book: IbOrderBook;
  readonly requests: IbRequests;
  readonly opts: { instruments: IbInstrumentConfig };
  emit(events: BrokerEvent[]): void;
  setAccounts(list: string[]): void;
  setNextValidId(id: number): void;
  contractOf(c: Contract): ContractId | undefined;
}

/** Order errors that end the order (201 rejected, 202 cancelled confirmation, 103 duplicate id). */
const ORDER_REJECTS = new Set([201, 103, 110, 200]);

export function attachIbEvents(api: IBApi, sink: IbEventSink): void {
  const { book, requests } = sink;
  const cfg = sink.opts.instruments;
  const ourContract = (c: Contract): ContractId => {
    const known = sink.contractOf(c);
    if (known) return known;
    return contractIdOf(instrumentOf(cfg, c) ?? c.symbol ?? '?', c);
  };
  /** A BAG's legs as ours (ratio signed by the leg's action); empty if one is not known here. */
  const comboLegsOf = (c: Contract): ComboLeg[] => {
    const legs: ComboLeg[] = [];
    for (const l of c.comboLegs ?? []) {
      const known = l.conId ? sink.contractOf({ conId: l.conId }) : undefined;
      if (!known) return [];
      legs.push({ ...known, ratio: (l.action === 'SELL' ? -1 : 1) * (l.ratio ?? 1) });
    }
    return legs;
  };
  const magnified = (instrumentCode: string, price: number): number => {
    const f = cfg.futures.get(instrumentCode);
    return f ? fromIbPrice(price, f) : price;
  };

  api.on(EventName.managedAccounts, (list: string) =>
    sink.setAccounts(list.split(',').filter((a) => a !== '')),
  );
  api.on(EventName.nextValidId, (id: number) => sink.setNextValidId(id));

  api.on(EventName.error, (err: Error, code: number, reqId: number) => {
    // Connection codes (502, 504, 326...) are the connection's; other system errors are reported.
    if (reqId === undefined || reqId < 0) {
      if (![326, 502, 504, 1100, 1101, 1102].includes(code) && !isNonFatalError(code, err))
        sink.emit([{ type: 'error', code, message: err.message }]);
      return;
    }
    if (requests.has(reqId)) {
      if (!isNonFatalError(code, err)) requests.fail(reqId, code, err.message);
      return;
    }
    const rec = book.byOrderId(reqId);
    if (!rec) return;
    if (code === 202)
      sink.emit(book.orderStatus(reqId, 'Cancelled', rec.filledQty, 0, rec.avgFillPrice ?? 0, rec.permId));
    else if (ORDER_REJECTS.has(code)) sink.emit(book.rejected(reqId, `${code}: ${err.message}`));
    if (code !== 202) sink.emit([{ type: 'error', orderRef: rec.orderRef, code, message: err.message }]);
  });

  api.on(EventName.openOrder, (orderId: number, contract: Contract, order: Order, state: OrderState) => {
    const orderRef = order.orderRef ?? '';
    requests.push(OPEN_ORDERS_ID, { orderRef, orderId });
    // Spot FX (CASH) orders are not on our stacks (ib-fx.ts).
    if (orderRef === '' || contract.secType === SecType.CASH) return;
    const qty = (order.action === 'SELL' ? -1 : 1) * (order.totalQuantity ?? 0);
    const legs = contract.secType === SecType.BAG ? comboLegsOf(contract) : undefined;
    sink.emit(
      book.openOrder({
        orderRef,
        orderId,
        permId: order.permId ?? 0,
        contract: legs?.[0] ?? ourContract(contract),
        qty,
        submittedAt: 0,
        ibStatus: String(state.status ?? ''),
        ...(legs ? { legs } : {}),
      }),
    );
  });
  api.on(EventName.openOrderEnd, () => requests.end(OPEN_ORDERS_ID));

  api.on(
    EventName.orderStatus,
    (orderId: number, status: string, filled: number, remaining: number, avg: number, permId?: number) => {
      const rec = book.byOrderId(orderId);
      const price = rec ? magnified(rec.contract.instrumentCode, avg) : avg;
      sink.emit(book.orderStatus(orderId, status, filled ?? 0, remaining ?? 0, price, permId ?? 0));
    },
  );

  api.on(EventName.execDetails, (reqId: number, contract: Contract, e: Execution) => {
    if (reqId >= 0) requests.push(reqId, e.execId);
    if (contract.secType === SecType.CASH) return; // spot FX: not a futures fill (ib-fx.ts)
    // A combo's own execution: its legs' executions are the fills (positions move by legs).
    if (contract.secType === SecType.BAG) {
      if (e.orderRef) book.comboExecution(e.orderRef, e.cumQty ?? 0);
      return;
    }
    const id = ourContract(contract);
    const shares = e.shares ?? 0;
    const fillEvents = book.execution({
      execId: e.execId ?? '',
      orderId: e.orderId ?? 0,
      permId: e.permId ?? 0,
      orderRef: e.orderRef ?? '',
      contract: id,
      qty: e.side === 'SLD' ? -shares : shares,
      price: magnified(id.instrumentCode, e.price ?? 0),
      time: ibTime(e.time ?? ''),
    });
    sink.emit(fillEvents);
  });
  api.on(EventName.execDetailsEnd, (reqId: number) => requests.end(reqId));
  api.on(EventName.commissionReport, (r: CommissionReport) => {
    if (r.execId && r.commission !== undefined)
      sink.emit(book.commission(r.execId, r.commission, r.currency ?? ''));
  });

  api.on(EventName.position, (account: string, contract: Contract, pos: number) => {
    if (contract.secType === SecType.CASH) return; // FX holdings are cash balances, not positions
    const row: BrokerPosition & { account: string } = { account, ...ourContract(contract), position: pos };
    requests.push(POSITIONS_ID, row);
  });
  api.on(EventName.positionEnd, () => requests.end(POSITIONS_ID));

  api.on(
    EventName.accountSummary,
    (reqId: number, account: string, tag: string, value: string, currency: string) =>
      requests.push(reqId, { account, tag, value, currency }),
  );
  api.on(EventName.accountSummaryEnd, (reqId: number) => {
    requests.end(reqId);
    api.cancelAccountSummary(reqId);
  });

  api.on(EventName.contractDetails, (reqId: number, d: ContractDetails) => requests.push(reqId, d));
  api.on(EventName.contractDetailsEnd, (reqId: number) => requests.end(reqId));

  api.on(
    EventName.historicalData,
    (reqId: number, time: string, open: number, high: number, low: number, close: number, volume: number) => {
      if (time.startsWith('finished')) requests.end(reqId);
      else requests.push(reqId, { time, open, high, low, close, volume } satisfies HistoricalRow);
    },
  );

  api.on(EventName.tickPrice, (reqId: number, field: number, value: number) =>
    requests.push(reqId, { kind: 'price', field, value } satisfies TickRow),
  );
  api.on(EventName.tickSize, (reqId: number, field?: number, value?: number) => {
    if (field !== undefined && value !== undefined)
      requests.push(reqId, { kind: 'size', field, value } satisfies TickRow);
  });
  api.on(EventName.tickSnapshotEnd, (reqId: number) => requests.end(reqId));
}
