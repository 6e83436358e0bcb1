/**
 * Order records on the three stacks (digest §1.1–1.3), one record per live order actor. `trade` and
 * `fill` are signed integers. A calendar spread (a Force roll's contract order and its broker
 * orders) also carries `legs`: its first leg is `contractDate`, and `trade` / `fill` count whole
 * spreads in the first leg's units. Every record carries the lifecycle `state` of digest §1.5
 * and a `version` bumped on each change (the actor's event number).
 */
import type { BestExecutionAlgoInput } from '../../machines/algo-best-execution.ts';
import type { MarketAlgoInput } from '../../machines/algo-market.ts';
import type { StateValueFrom } from 'xstate';
import type { brokerOrderMachine } from '../../machines/broker-order.ts';
import type { contractOrderMachine } from '../../machines/contract-order.ts';
import type { instrumentOrderMachine } from '../../machines/instrument-order.ts';
import type { BrokerLeg } from '../../src/broker/port.ts';
import type { ContractOrderType, Fill, InstrumentOrderType } from '../../src/domain/orders/index.ts';

export type OrderLevel = 'instrument' | 'contract' | 'broker';

/** An order's state is its machine's state (machines/*-order.ts). */
export type BrokerOrderState = Extract<StateValueFrom<typeof brokerOrderMachine>, string>;
export type ContractOrderState = Extract<StateValueFrom<typeof contractOrderMachine>, string>;
export type InstrumentOrderState = Extract<StateValueFrom<typeof instrumentOrderMachine>, string>;

export type { InstrumentOrderType };

export type AlgoName = 'market' | 'best' | 'limit';

interface BaseOrder {
  id: number;
  strategyName: string;
  instrumentCode: string;
  trade: number;
  /** Cumulative fill; never beyond `trade` (an excess is kept in `overfill`). */
  fill: number;
  overfill: number;
  filledPrice?: number;
  fillDatetime?: number;
  locked: boolean;
  parent?: number;
  children: number[];
  active: boolean;
  orderType: string;
  /** Lifecycle state (digest §1.5): the order's machine's state, read off its snapshot. */
  state: string;
  /** Persisted snapshot of the order's machine (see order-actors.ts). */
  machine?: unknown;
  version: number;
  createdAt: number;
  manualTrade: boolean;
  /**
   * The broker's fill corrections this order's machine took: execution id → correcting execution
   * id (late-corrections.ts; a restore re-applies one an order lacks, never one it holds); on a
   * completed instrument order also a late fill it took: execution id → `fill` (late-fills.ts).
   */
  corrections?: Record<string, string>;
}

export interface InstrumentOrder extends BaseOrder {
  level: 'instrument';
  orderType: InstrumentOrderType;
  state: InstrumentOrderState;
  referencePrice?: number;
  referenceContract?: string;
  referenceDatetime?: number;
  limitPrice?: number;
  limitContract?: string;
  rollOrder: boolean;
  /** The queued request this order was created for (order-requests.ts): one order per request. */
  requestId?: string;
}

export interface ContractOrder extends BaseOrder {
  level: 'contract';
  orderType: ContractOrderType;
  contractDate: string;
  state: ContractOrderState;
  algoToUse: AlgoName | '';
  /** Soft lock (digest A3): the algo reference while an algo owns the order. */
  referenceOfControllingAlgo?: string;
  referencePrice?: number;
  limitPrice?: number;
  /** Quantity filled by hand (manual fill of the contract order), part of `fill`. */
  manualFill: number;
  manualExecIds: string[];
  rollOrder: boolean;
  /** Calendar spread: every leg with its whole signed trade (sorted by contract date). */
  legs?: BrokerLeg[];
}

/** The broker's view of a broker order, read off its machine state (see order-actors.ts). */
export type BrokerOrderStatus =
  'pending-submit' | 'submitted' | 'cancel-requested' | 'cancelled' | 'rejected' | 'filled';

export interface BrokerOrder extends BaseOrder {
  level: 'broker';
  contractDate: string;
  state: BrokerOrderState;
  brokerStatus: BrokerOrderStatus;
  /** Commission of the order's fills so far (joined by execution id, may come after the fill). */
  commission?: number;
  /** Our idempotency key at the broker (IB orderRef) = the broker order id on our stack. */
  orderRef: string;
  algoUsed: AlgoName | 'manual';
  brokerOrderType: 'market' | 'limit';
  limitPrice?: number;
  submitDatetime?: number;
  sidePrice?: number;
  midPrice?: number;
  offsidePrice?: number;
  brokerTempId?: number;
  brokerPermId?: number;
  /**
   * Set when a placement failed with an unknown outcome (a timeout, a lost connection): the time
   * (injected clock) of that failure, until the order is found at the broker or given up
   * (actors/stack/placement.ts).
   */
  unconfirmedSince?: number;
  /**
   * Set when such a placement was given up (absent from the broker once the confirmation window
   * passed): the time it was given up. The order stays on the stack (rejected) so a late arrival's
   * fills land on it, and should it show up at the broker it is cancelled at once (placement.ts).
   */
  givenUpAt?: number;
  /** Execution ids already applied to this order. */
  execIds: string[];
  /**
   * A fill correction on its way to this order's family, written (durably) before the corrected
   * fill record and cleared once every order of the family took it (late-corrections.ts).
   */
  correcting?: PendingCorrection;
  /**
   * The algo working this order (none for a manual broker order): its machine's input and state,
   * journalled with the order (actors/stack/algo-actors.ts).
   */
  algo?: AlgoRecord;
  manualFill: boolean;
  rollOrder: boolean;
  /** Calendar spread: the legs of this broker order and each leg's signed fill so far. */
  legs?: BrokerLeg[];
  legFills?: number[];
  comment?: string;
}

export type AnyOrder = InstrumentOrder | ContractOrder | BrokerOrder;

/** A broker's correction of one of an order's fills, as its family's machines take it. */
export interface PendingCorrection {
  /** The corrected fill's execution id. */
  execId: string;
  /** The correcting execution id. */
  revision: string;
  original: Fill;
  corrected: Fill;
}

/**
 * One fill, the unit of truth (written once to the fills stream, keyed by `execId`). Positions are
 * the sum of fill records: `scope` says which position tables a record moves.
 */
export interface FillRecord {
  execId: string;
  kind: 'broker' | 'manual-broker' | 'manual-contract' | 'balance' | 'balance-instrument' | 'unmatched';
  scope: 'both' | 'contract' | 'strategy';
  strategyName?: string;
  instrumentCode: string;
  contractDate?: string;
  qty: number;
  price: number;
  time: number;
  /** The broker's commission on this fill, in the instrument's currency, when it came with the fill. */
  commission?: number;
  brokerOrderId?: number;
  contractOrderId?: number;
  instrumentOrderId?: number;
  orderRef?: string;
  /** Currency of `commission` (joined by `execId` also when reported after the fill). */
  commissionCurrency?: string;
  /** The broker's execution that corrected this fill's quantity, price or time (IB). */
  correctedBy?: string;
}

/** A recorded fill, by execution id: where a later commission or a broker's correction is joined. */
export interface FillIndexEntry {
  instrumentCode: string;
  brokerOrderId?: number;
  commission?: number;
  rec: FillRecord;
  /** The correcting execution id, once the fill was corrected. */
  revision?: string;
}

export const contractPositionKey = (instrumentCode: string, contractDate: string): string =>
  `${instrumentCode}/${contractDate}`;
export const strategyPositionKey = (strategyName: string, instrumentCode: string): string =>
  `${strategyName}/${instrumentCode}`;

/** A market or limit algo's actor record: the input it started with and its machine's state. */
export interface MarketAlgoRecord {
  name: 'market' | 'limit';
  input: MarketAlgoInput;
  /** The machine's persisted state (actors/host/machine-actors.ts), never edited by hand. */
  machine?: unknown;
}

/** A best-execution algo's actor record. */
export interface BestAlgoRecord {
  name: 'best';
  input: BestExecutionAlgoInput;
  machine?: unknown;
}

export type AlgoRecord = MarketAlgoRecord | BestAlgoRecord;
