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
import type { Contract, IBApi } from '@stoqey/ib';
import type { Clock } from '../../clock.ts';
import { BrokerListeners, startOfDay } from '../orders.ts';
import { ibAcceptsOrders, type IbConnectionState } from '../../domain/broker/ib-connection.ts';
import type {
  AccountValue,
  BarFrequency,
  CashBalance,
  FxOrderRequest,
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
import { connectionEvents, IbConnection, type IbConnectionOptions } from './connection.ts';
import { IbNotConnected, IbNotReady } from './errors.ts';
import type { IbInstrumentConfig } from './ib-config.ts';
import { IbCashDesk } from './ib-fx.ts';
import { IbMarket } from './ib-market.ts';
import { IbOrdersClient } from './ib-orders.ts';
import { IbOrderBook } from './order-book.ts';
import { IbQueries } from './ib-queries.ts';
import { IbOutbox } from './outbox.ts';
import { HistoricalPacer, IB_HISTORICAL_PACING, type PacingRules } from './pacing.ts';
import { IbRequests } from './requests.ts';
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

export class IbBroker implements BrokerPort, IbEventSink {
  readonly name = 'ib';
  readonly book = new IbOrderBook();
  readonly requests: IbRequests;
  readonly market: IbMarket;
  readonly connection: IbConnection;
  readonly queries: IbQueries;
  private readonly listeners = new BrokerListeners();
  private readonly outbox: IbOutbox;
  private readonly cash: IbCashDesk;
  private readonly ordersClient: IbOrdersClient;
  private nextOrderId = 0;
  private accounts: string[] = [];

  constructor(readonly opts: IbBrokerOptions) {
    this.requests = new IbRequests(opts.requestTimeoutMs ?? 10_000);
    this.outbox = new IbOutbox(opts.commissionWaitMs ?? 2_000, (e) => this.listeners.tell(e));
    this.queries = new IbQueries({
      api: () => this.api(),
      requests: this.requests,
      account: () => this.account,
      now: () => opts.clock.now(),
    });
    this.cash = new IbCashDesk({
      api: () => this.api(),
      requests: this.requests,
      account: () => this.account,
      now: () => opts.clock.now(),
      nextOrderId: () => this.nextOrderId++,
      requireReady: (what) => this.requireReady(what),
    });
    this.ordersClient = new IbOrdersClient({
      book: this.book,
      instruments: opts.instruments,
      api: () => this.api(),
      resolve: (c) => this.market.resolve(c),
      connectionState: () => this.connection.state,
      account: () => this.account,
      now: () => opts.clock.now(),
      nextOrderId: () => this.nextOrderId++,
      requireReady: (what) => this.requireReady(what),
    });
    this.connection = new IbConnection(opts, {
      attach: (api) => attachIbEvents(api, this),
      synchronise: () => synchronise(this),
      resubscribe: () => {
        // Snapshots and one-off requests only: nothing streams, so nothing to resubscribe.
      },
      socketLost: (reason) => this.requests.failAll(new IbNotConnected(`TWS connection lost: ${reason}`)),
      state: (s, prev, code, message) => this.emit(connectionEvents(s, prev, code, message)),
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
    await this.connection.connectWithin(this.opts.connectTimeoutMs ?? 10_000);
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
    return this.listeners.add(listener);
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
    return startOfDay(this.opts.clock.now());
  }

  placeOrder(req: PlaceOrderRequest): Promise<PlacedOrder> {
    return this.ordersClient.place(req);
  }

  modifyOrder(orderRef: string, change: { limitPrice?: number; orderType?: BrokerOrderType }): Promise<void> {
    return this.ordersClient.modify(orderRef, change);
  }

  cancelOrder(orderRef: string): Promise<void> {
    return this.ordersClient.cancel(orderRef);
  }

  async orders(): Promise<BrokerOrderState[]> {
    await this.queries.openOrders();
    return this.book.all().map((r) => this.book.state(r));
  }

  async fills(since?: number): Promise<BrokerFill[]> {
    const from = since ?? this.startOfDay();
    await this.queries.executions(from);
    // Fills still waiting for their commission reports are answered with them.
    await this.outbox.idle();
    return this.book.fills(from);
  }

  positions(): Promise<BrokerPosition[]> {
    return this.queries.positions();
  }

  accountValue(): Promise<AccountValue> {
    return this.queries.accountValue();
  }

  cashBalances(): Promise<CashBalance[]> {
    return this.cash.balances();
  }

  async placeFxOrder(req: FxOrderRequest): Promise<PlacedOrder> {
    return this.cash.place(req);
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

  /** Our contract for an IB contract in a position or execution. */
  contractOf(c: Contract): ContractId | undefined {
    return c.conId ? this.market.byConId.get(c.conId) : undefined;
  }

  private requireReady(what: string): void {
    const s = this.connection.state;
    if (s === 'ready') return;
    if (s === 'synchronising') throw new IbNotReady(`cannot ${what}: still synchronising with TWS`);
    throw new IbNotConnected(`cannot ${what}: connection to TWS is ${s}`);
  }
}
