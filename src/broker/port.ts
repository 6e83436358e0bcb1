/**
 * The broker port: everything systack asks of a broker. Implemented by `sim/` (simulated broker,
 * deterministic from a seed) and `ib/` (@stoqey/ib). All times are epoch milliseconds.
 *
 * Identity: every order we place carries `orderRef`, our idempotency key (the broker order id on
 * our stack). Placing twice with the same `orderRef` must not create a second order: the broker
 * returns the existing one. Fills carry the broker's execution id (`execId`), unique per fill.
 */

/** A futures contract: instrument plus contract date (YYYYMM or YYYYMMDD, as pysystemtrade). */
export interface ContractId {
  instrumentCode: string;
  contractDate: string;
}

/** One leg of an order sent to the broker; spreads have two legs. */
export interface BrokerLeg extends ContractId {
  /** Signed quantity: positive buys, negative sells. */
  qty: number;
}

export type BrokerOrderType = 'market' | 'limit' | 'snap-market';

export interface PlaceOrderRequest {
  orderRef: string;
  legs: BrokerLeg[];
  orderType: BrokerOrderType;
  limitPrice?: number;
  account?: string;
}

export interface PlacedOrder {
  orderRef: string;
  /** Broker's temporary (per-session) id, IB's orderId. */
  tempId: number;
  /** Broker's permanent id, IB's permId; may arrive later (0 until known). */
  permId: number;
  submittedAt: number;
  /** True when an order with this orderRef already existed (idempotent replay). */
  existing: boolean;
}

export type BrokerOrderStatus =
  'submitted' | 'acknowledged' | 'partially-filled' | 'filled' | 'cancel-pending' | 'cancelled' | 'rejected';

export interface BrokerOrderState {
  orderRef: string;
  tempId: number;
  permId: number;
  status: BrokerOrderStatus;
  filledQty: number;
  remainingQty: number;
  avgFillPrice: number | undefined;
  rejectReason?: string;
}

export interface BrokerFill {
  execId: string;
  orderRef: string;
  tempId: number;
  permId: number;
  instrumentCode: string;
  contractDate: string;
  /** Signed fill quantity. */
  qty: number;
  price: number;
  time: number;
  commission?: number;
  commissionCurrency?: string;
  /** The broker's execution that corrected this fill's values (IB: same execId, higher suffix). */
  correctedBy?: string;
}

export interface BrokerPosition extends ContractId {
  position: number;
}

export interface MarketSnapshot extends ContractId {
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
  last?: number;
  time: number;
}

/**
 * A spread quoted as one contract (IB: the market data of its BAG), for the spread algos and the
 * liquidity check. One combo is the legs' quantities over their greatest common divisor; its
 * prices are per combo as Σ sign × ratio × leg price (what a spread's limit price means), so a
 * combo's bid and ask may be negative; sizes count combos.
 */
export interface SpreadSnapshot {
  legs: BrokerLeg[];
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
  time: number;
}

export interface PriceBar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export type BarFrequency = 'D' | 'H' | '5M' | '1M';

export interface TradingHours {
  /** Sessions as [open, close) epoch-ms pairs. */
  sessions: Array<{ open: number; close: number }>;
}

export interface ContractDetails extends ContractId {
  expiryDate: string;
  multiplier: number;
  currency: string;
  exchange: string;
  tickSize: number;
}

export interface AccountValue {
  /** Net liquidation value in the account's base currency. */
  value: number;
  currency: string;
  time: number;
  /** Margin used (maintenance), same currency; undefined when the broker does not say. */
  margin?: number;
}

export type BrokerEvent =
  | { type: 'order-status'; state: BrokerOrderState }
  | { type: 'fill'; fill: BrokerFill }
  /** A fill's values corrected by the broker; `fill.execId` is the fill's first (unchanged) id. */
  | { type: 'fill-corrected'; fill: BrokerFill }
  | { type: 'commission'; execId: string; commission: number; currency: string }
  | { type: 'connection'; connected: boolean; code?: number; message?: string }
  | { type: 'error'; orderRef?: string; code: number; message: string }
  /**
   * After a (re)connect the broker re-read its open orders, the day's executions (missed fills
   * were emitted as `fill` events, once) and positions: here are the positions, and the broker's
   * orders that carry no orderRef of ours.
   */
  | { type: 'reconciled'; positions: BrokerPosition[]; unknownBrokerOrders: number[] };

export type BrokerListener = (event: BrokerEvent) => void;

/**
 * A spot FX trade (interactive_order_stack "Cash FX trade"): buy (qty > 0) or sell `qty` units of
 * `ccy1` against `ccy2` at market. Not an order on our stacks; the pair must follow the market
 * convention (IB rejects GBP bought against EUR written as EURGBP the wrong way round).
 */
export interface FxOrderRequest {
  orderRef: string;
  ccy1: string;
  ccy2: string;
  qty: number;
  account?: string;
}

/** Cash held in one currency (not excess or uncleared: IB's CashBalance). */
export interface CashBalance {
  currency: string;
  balance: number;
}

export interface BrokerPort {
  readonly name: string;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  isConnected(): boolean;
  /** Subscribe to order status, fills, commissions, connection events. Returns unsubscribe. */
  onEvent(listener: BrokerListener): () => void;

  placeOrder(req: PlaceOrderRequest): Promise<PlacedOrder>;
  modifyOrder(orderRef: string, change: { limitPrice?: number; orderType?: BrokerOrderType }): Promise<void>;
  cancelOrder(orderRef: string): Promise<void>;
  /** Open and recently finished orders known to the broker this session. */
  orders(): Promise<BrokerOrderState[]>;
  /** Executions since a time (default: the start of the broker's day), deduplicated by execId. */
  fills(since?: number): Promise<BrokerFill[]>;
  positions(): Promise<BrokerPosition[]>;
  accountValue(): Promise<AccountValue>;
  contractDetails(contract: ContractId): Promise<ContractDetails>;
  historicalPrices(contract: ContractId, frequency: BarFrequency, since?: number): Promise<PriceBar[]>;
  fxHistoricalPrices(currencyPair: string, since?: number): Promise<Array<{ time: number; price: number }>>;
  marketSnapshot(contract: ContractId): Promise<MarketSnapshot>;
  /** A spread's quote as one contract (two or more legs); fails when there is none. */
  spreadSnapshot(legs: BrokerLeg[]): Promise<SpreadSnapshot>;
  tradingHours(contract: ContractId): Promise<TradingHours>;
  /** Cash balances per currency. */
  cashBalances(): Promise<CashBalance[]>;
  /** A spot FX market order (IB: CASH on IDEALPRO); idempotent on orderRef as `placeOrder` is. */
  placeFxOrder(req: FxOrderRequest): Promise<PlacedOrder>;
}
