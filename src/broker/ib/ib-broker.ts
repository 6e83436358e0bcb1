/**
 * The broker port over Interactive Brokers, on @stoqey/ib's classic `IBApi` (stack-notes §1.2).
 *
 * - Identity: our orderRef travels in IB's `orderRef`; placing a known orderRef returns the
 *   existing order (looked up in open orders and today's executions after every (re)connect),
 *   never sends it again.
 * - Connection: the table of src/domain/broker/ib-connection.ts; no new orders unless `ready`.
 * - Fills from execDetails only, deduplicated and corrected by execId; commissions joined by execId.
 * - Every query that fails throws (IbNotConnected, IbRequestFailed, IbRequestTimeout...).
 */
import { type Contract, type IBApi, OrderType } from '@stoqey/ib';
import type { Clock } from '../../clock.ts';
import { ibAcceptsOrders, type IbConnectionState } from '../../domain/broker/ib-connection.ts';
import type {
  AccountValue,
  BarFrequency,
  BrokerEvent,
  BrokerLeg,
  BrokerFill,
  BrokerListener,
  BrokerOrderState,
  BrokerOrderType,
  BrokerPort,
  BrokerPosition,
  ContractDetails,
  ContractId,
  MarketSnapshot,
  PlacedOrder,
  PlaceOrderRequest,
  PriceBar,
  SpreadSnapshot,
  TradingHours,
} from '../port.ts';
import { attachIbEvents, type IbEventSink } from './attach.ts';
import { planIbOrder } from './combo.ts';
import { IbConnection, type IbConnectionOptions } from './connection.ts';
import { IbNotConnected, IbNotReady, IbOrderUnsupported, IbRequestFailed, IbUnknownOrder } from './errors.ts';
import { type IbInstrumentConfig, toIbPrice } from './ib-config.ts';
import { IbMarket } from './ib-market.ts';
import { IbOrderBook, isFinished } from './order-book.ts';
import { IbOutbox } from './outbox.ts';
import { HistoricalPacer, IB_HISTORICAL_PACING, type PacingRules } from './pacing.ts';
import { IbRequests, OPEN_ORDERS_ID, POSITIONS_ID } from './requests.ts';
import { synchronise } from './sync.ts';

export interface IbBrokerOptions extends IbConnectionOptions {
  clock: Clock;
  instruments: IbInstrumentConfig;
  /** The IB account orders go to and positions / net liquidation are read for. */
  account?: string;
  /** Give up a first connect after this long (default 10 s). */
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  pacing?: PacingRules;
  pacingRetryMs?: number;
  pacingRetries?: number;
  /** How long a fill waits for its commission report before it is reported without (default 2 s). */
  commissionWaitMs?: number;
}

const DAY = 86_400_000;
const IB_ORDER_TYPE: Record<BrokerOrderType, OrderType> = {
  market: OrderType.MKT,
  limit: OrderType.LMT,
  'snap-market': OrderType.SNAP_MKT,
};

export class IbBroker implements BrokerPort, IbEventSink {
  readonly name = 'ib';
  readonly book = new IbOrderBook();
  readonly requests: IbRequests;
  readonly market: IbMarket;
  readonly connection: IbConnection;
  private readonly listeners = new Set<BrokerListener>();
  private readonly outbox: IbOutbox;
  private nextOrderId = 0;
  private accounts: string[] = [];
  private readyWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];

  constructor(readonly opts: IbBrokerOptions) {
    this.requests = new IbRequests(opts.requestTimeoutMs ?? 10_000);
    this.outbox = new IbOutbox(opts.commissionWaitMs ?? 2_000, (e) => {
      for (const l of this.listeners) l(e);
    });
    this.connection = new IbConnection(opts, {
      attach: (api) => attachIbEvents(api, this),
      synchronise: () => synchronise(this),
      resubscribe: () => {
        // Snapshots and one-off requests only: nothing streams, so nothing to resubscribe.
      },
      socketLost: (reason) => this.requests.failAll(new IbNotConnected(`TWS connection lost: ${reason}`)),
      state: (s, prev, code, message) => this.onState(s, prev, code, message),
    });
    this.market = new IbMarket({
      api: () => this.api(),
      requests: this.requests,
      instruments: opts.instruments,
      pacer: new HistoricalPacer(opts.pacing ?? IB_HISTORICAL_PACING, () => Date.now()),
      now: () => opts.clock.now(),
      pacingRetryMs: opts.pacingRetryMs ?? 15_000,
      pacingRetries: opts.pacingRetries ?? 4,
    });
  }

  /** Connect and synchronise; fails clearly if TWS cannot be reached in `connectTimeoutMs`. */
  async connect(): Promise<void> {
    if (this.isConnected()) return;
    const where = `${this.opts.host}:${this.opts.port}`;
    const ready = new Promise<void>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
    const ms = this.opts.connectTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const why = this.connection.lastProblem ?? 'no answer';
        reject(new IbNotConnected(`cannot connect to TWS / IB Gateway at ${where} within ${ms} ms (${why})`));
        this.readyWaiters = [];
        this.connection.send('STOP');
      }, ms);
    });
    this.connection.send('CONNECT');
    try {
      await Promise.race([ready, timeout]);
    } finally {
      clearTimeout(timer);
      this.readyWaiters = [];
    }
  }

  async disconnect(): Promise<void> {
    this.connection.send('STOP');
    this.outbox.flushAll();
  }

  isConnected(): boolean {
    return ibAcceptsOrders(this.connection.state);
  }

  get state(): IbConnectionState {
    return this.connection.state;
  }

  get managedAccounts(): string[] {
    return this.accounts;
  }

  get account(): string | undefined {
    return this.opts.account ?? this.accounts[0];
  }

  onEvent(listener: BrokerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Events leave in order; a fill first waits (briefly) for its commission report (outbox.ts). */
  emit(events: BrokerEvent[]): void {
    this.outbox.push(events);
  }

  api(): IBApi {
    return this.connection.api();
  }

  setAccounts(list: string[]): void {
    this.accounts = list;
  }

  setNextValidId(id: number): void {
    this.nextOrderId = Math.max(this.nextOrderId, id, this.book.maxOrderId() + 1);
  }

  startOfDay(): number {
    return Math.floor(this.opts.clock.now() / DAY) * DAY;
  }

  async placeOrder(req: PlaceOrderRequest): Promise<PlacedOrder> {
    const known = this.book.get(req.orderRef);
    if (known)
      return {
        orderRef: known.orderRef,
        tempId: known.orderId,
        permId: known.permId,
        submittedAt: known.submittedAt,
        existing: true,
      };
    this.requireReady('place an order');
    if (req.orderType === 'limit' && req.limitPrice === undefined)
      throw new IbOrderUnsupported(`order ${req.orderRef}: limit order without limitPrice`);
    const plan = await planIbOrder(req.orderRef, req.legs, this.opts.instruments, (c) =>
      this.market.resolve(c),
    );
    const known2 = this.book.get(req.orderRef);
    if (known2)
      return {
        orderRef: known2.orderRef,
        tempId: known2.orderId,
        permId: known2.permId,
        submittedAt: known2.submittedAt,
        existing: true,
      };
    this.requireReady('place an order');
    const orderId = this.nextOrderId++;
    const submittedAt = this.opts.clock.now();
    // Recorded before it is sent: a second call with this orderRef returns it and never re-sends.
    this.book.add({
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
    const account = req.account ?? this.account;
    this.api().placeOrder(orderId, plan.contract, {
      action: plan.action,
      totalQuantity: plan.totalQuantity,
      orderType: IB_ORDER_TYPE[req.orderType],
      ...(req.orderType === 'limit' && req.limitPrice !== undefined
        ? { lmtPrice: toIbPrice(req.limitPrice, plan.cfg) }
        : {}),
      orderRef: req.orderRef,
      ...(account === undefined ? {} : { account }),
      tif: 'DAY',
      transmit: true,
    });
    return { orderRef: req.orderRef, tempId: orderId, permId: 0, submittedAt, existing: false };
  }

  async modifyOrder(
    orderRef: string,
    change: { limitPrice?: number; orderType?: BrokerOrderType },
  ): Promise<void> {
    const rec = this.mustGet(orderRef);
    if (isFinished(rec.status)) return;
    this.requireReady('modify an order');
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
      this.opts.instruments,
      (c) => this.market.resolve(c),
    );
    const type = change.orderType ?? (change.limitPrice !== undefined ? 'limit' : 'market');
    this.api().placeOrder(rec.orderId, plan.contract, {
      action: plan.action,
      totalQuantity: plan.totalQuantity,
      orderType: IB_ORDER_TYPE[type],
      ...(change.limitPrice === undefined ? {} : { lmtPrice: toIbPrice(change.limitPrice, plan.cfg) }),
      orderRef,
      ...(this.account === undefined ? {} : { account: this.account }),
      tif: 'DAY',
      transmit: true,
    });
  }

  async cancelOrder(orderRef: string): Promise<void> {
    const rec = this.mustGet(orderRef);
    if (isFinished(rec.status)) return;
    // Cancels are allowed while synchronising (not while TWS is cut off from IB).
    if (this.connection.state !== 'ready' && this.connection.state !== 'synchronising')
      throw new IbNotConnected(`cannot cancel ${orderRef}: connection ${this.connection.state}`);
    this.api().cancelOrder(rec.orderId);
  }

  async orders(): Promise<BrokerOrderState[]> {
    await this.requestOpenOrders();
    return this.book.all().map((r) => this.book.state(r));
  }

  async fills(since?: number): Promise<BrokerFill[]> {
    const from = since ?? this.startOfDay();
    await this.requestExecutions(from);
    // Fills still waiting for their commission reports are answered with them.
    await this.outbox.idle();
    return this.book.fills(from);
  }

  async positions(): Promise<BrokerPosition[]> {
    return this.requestPositions();
  }

  async accountValue(): Promise<AccountValue> {
    type Row = { account: string; tag: string; value: string; currency: string };
    const rows = await this.requests.open<Row>('account summary', (id) =>
      this.api().reqAccountSummary(id, 'All', 'NetLiquidation,FullMaintMarginReq'),
    );
    const acct = this.account;
    const find = (tag: string) =>
      rows.find((r) => r.tag === tag && (acct === undefined || r.account === acct));
    const row = find('NetLiquidation');
    const value = row ? Number(row.value) : Number.NaN;
    if (!row || !Number.isFinite(value))
      throw new IbRequestFailed(`account summary: no NetLiquidation for account ${acct ?? '(any)'}`, 0, -1);
    // Margin in use: the maintenance margin requirement, when IB reports it (undefined otherwise).
    const m = find('FullMaintMarginReq');
    const margin =
      m && m.currency === row.currency && Number.isFinite(Number(m.value)) ? Number(m.value) : undefined;
    return {
      value,
      currency: row.currency,
      time: this.opts.clock.now(),
      ...(margin === undefined ? {} : { margin }),
    };
  }

  contractDetails(c: ContractId): Promise<ContractDetails> {
    return this.market.contractDetails(c);
  }

  historicalPrices(c: ContractId, f: BarFrequency, since?: number): Promise<PriceBar[]> {
    return this.market.historicalPrices(c, f, since);
  }

  fxHistoricalPrices(pair: string, since?: number): Promise<Array<{ time: number; price: number }>> {
    return this.market.fxHistoricalPrices(pair, since);
  }

  marketSnapshot(c: ContractId): Promise<MarketSnapshot> {
    return this.market.marketSnapshot(c);
  }

  spreadSnapshot(legs: BrokerLeg[]): Promise<SpreadSnapshot> {
    return this.market.spreadSnapshot(legs);
  }

  tradingHours(c: ContractId): Promise<TradingHours> {
    return this.market.tradingHours(c);
  }

  /** reqAllOpenOrders (every client's orders, so a changed client id still finds ours). */
  requestOpenOrders(): Promise<Array<{ orderRef: string; orderId: number }>> {
    return this.requests.serial(OPEN_ORDERS_ID, 'open orders', () => this.api().reqAllOpenOrders());
  }

  requestExecutions(since: number): Promise<unknown[]> {
    const d = new Date(since);
    const p = (n: number): string => String(n).padStart(2, '0');
    const time = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
    return this.requests.open('executions', (id) => this.api().reqExecutions(id, { time }));
  }

  async requestPositions(): Promise<BrokerPosition[]> {
    const rows = await this.requests.serial<BrokerPosition & { account: string }>(
      POSITIONS_ID,
      'positions',
      () => this.api().reqPositions(),
    );
    const acct = this.account;
    const sums = new Map<string, BrokerPosition>();
    for (const r of rows) {
      if (acct !== undefined && r.account !== acct) continue;
      const key = `${r.instrumentCode}/${r.contractDate}`;
      const p = sums.get(key) ?? {
        instrumentCode: r.instrumentCode,
        contractDate: r.contractDate,
        position: 0,
      };
      p.position += r.position;
      sums.set(key, p);
    }
    return [...sums.values()].filter((p) => p.position !== 0);
  }

  /** Our contract for an IB contract in a position or execution. */
  contractOf(c: Contract): ContractId | undefined {
    return c.conId ? this.market.byConId.get(c.conId) : undefined;
  }

  private onState(s: IbConnectionState, prev: IbConnectionState, code?: number, message?: string): void {
    if (s === 'ready') for (const w of this.readyWaiters) w.resolve();
    if (s === 'stopped')
      for (const w of this.readyWaiters) w.reject(new IbNotConnected(message ?? 'stopped'));
    const was = ibAcceptsOrders(prev);
    const is = ibAcceptsOrders(s);
    if (was !== is || s === 'waitingToReconnect' || s === 'ibDisconnected')
      this.emit([
        {
          type: 'connection',
          connected: is,
          ...(code === undefined ? {} : { code }),
          ...(message === undefined ? {} : { message }),
        },
      ]);
  }

  private requireReady(what: string): void {
    const s = this.connection.state;
    if (s === 'ready') return;
    if (s === 'synchronising') throw new IbNotReady(`cannot ${what}: still synchronising with TWS`);
    throw new IbNotConnected(`cannot ${what}: connection to TWS is ${s}`);
  }

  private mustGet(orderRef: string) {
    const rec = this.book.get(orderRef);
    if (!rec) throw new IbUnknownOrder(`IB broker: unknown orderRef '${orderRef}'`);
    return rec;
  }
}
