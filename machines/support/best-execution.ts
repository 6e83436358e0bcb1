/**
 * Types, pure helpers and the initial context of the best-execution algo machine
 * (machines/algo-best-execution.ts; digest §2 E2).
 */
import {
  adverseSizeIssue,
  applyFill,
  BEST_EXECUTION_DEFAULTS,
  type ContractOrderType,
  cutToSmallestLeg,
  emptyLedger,
  type FillLedger,
  isValidSnapshot,
  marketAboutToClose,
  type PriceSnapshot,
  type Side,
  sideOf,
} from '../../src/domain/orders/index.ts';
import { lookahead } from './lookahead.ts';
import { type AlgoBrokerEvent, type AlgoEmitted, type AlgoOutcome, orderRefFor } from './algo.ts';

export type BestExecutionConfig = { -readonly [K in keyof typeof BEST_EXECUTION_DEFAULTS]: number };

export interface BestExecutionAlgoInput {
  readonly algoId: string;
  readonly contractOrderId: string;
  readonly orderType: ContractOrderType;
  /** What is left to do on the contract order (trade − fill), per leg. */
  readonly trade: readonly number[];
  readonly tickSize: number;
  /** Earlier of the stack handler's stop time and the contract's close; null if unknown. */
  readonly closeAt: number | null;
  readonly now: number;
  readonly config?: Partial<BestExecutionConfig>;
}

export interface BestExecutionAlgoContext {
  readonly algoId: string;
  readonly contractOrderId: string;
  readonly orderType: ContractOrderType;
  readonly trade: readonly number[];
  readonly side: Side;
  readonly tickSize: number;
  readonly closeAt: number | null;
  readonly config: BestExecutionConfig;
  readonly now: number;
  readonly ledger: FillLedger;
  readonly orderRef: string;
  readonly priceDeadline: number;
  readonly submittedAt: number | null;
  readonly passiveDeadline: number | null;
  readonly totalDeadline: number | null;
  readonly cancelDeadline: number | null;
  readonly referenceSnapshot: PriceSnapshot | null;
  readonly lastSnapshot: PriceSnapshot | null;
  readonly brokerOrderType: 'limit' | 'market' | null;
  readonly limitPrice: number | null;
  readonly modifyPending: boolean;
  readonly aggressiveReason: string | null;
  readonly outcome: AlgoOutcome | null;
}

export type BestExecutionAlgoEvent =
  | AlgoBrokerEvent
  | { type: 'PRICE_SNAPSHOT'; snapshot: PriceSnapshot }
  | { type: 'PRICE_DATA_ERROR'; message: string }
  | { type: 'BROKER_MODIFIED'; orderRef: string; limitPrice: number }
  | { type: 'BROKER_MODIFY_REJECTED'; orderRef: string; reason: string };
export type BestExecutionAlgoEmitted = AlgoEmitted;

export type Ctx = BestExecutionAlgoContext;
export type Ev = BestExecutionAlgoEvent;

export const snapOf = (e: Ev) =>
  e.type === 'PRICE_SNAPSHOT' && isValidSnapshot(e.snapshot) ? e.snapshot : null;
export const nowOf = (c: Ctx, e: Ev) => (e.type === 'CLOCK_TICK' ? e.now : (snapOf(e)?.at ?? c.now));
export const absQty = (c: Ctx) => Math.min(...c.trade.filter((q) => q !== 0).map(Math.abs));
export const closing = (c: Ctx, now: number) =>
  marketAboutToClose(now, c.closeAt, c.config.closingThresholdMs);
export const sizeIssue = (c: Ctx, s: PriceSnapshot) =>
  adverseSizeIssue(c.side, s, absQty(c), c.config.imbalanceThreshold, c.config.imbalanceAdjFactor);
/** The fill applied to the ledger, once per (context, event) for the guards and the action. */
export const fillResult = lookahead((c: Ctx, e: Ev) =>
  e.type === 'BROKER_FILL' ? applyFill(c.ledger, e.fill) : undefined,
);
export const fillAfter = (c: Ctx, e: Ev) => fillResult(c, e)?.ledger ?? c.ledger;
export const past = (now: number, deadline: number | null) => deadline !== null && now >= deadline;

/** The algo's context at start: the trade cut to SIZE_LIMIT, the price wait deadline armed. */
export function initialContext(input: BestExecutionAlgoInput): BestExecutionAlgoContext {
  const config: BestExecutionConfig = { ...BEST_EXECUTION_DEFAULTS, ...input.config };
  const trade = cutToSmallestLeg(input.trade, config.sizeLimit);
  return {
    algoId: input.algoId,
    contractOrderId: input.contractOrderId,
    orderType: input.orderType,
    trade,
    side: sideOf(trade),
    tickSize: input.tickSize,
    closeAt: input.closeAt,
    config,
    now: input.now,
    ledger: emptyLedger(trade),
    orderRef: orderRefFor(input.algoId, 1),
    priceDeadline: input.now + config.priceWaitMs,
    submittedAt: null,
    passiveDeadline: null,
    totalDeadline: null,
    cancelDeadline: null,
    referenceSnapshot: null,
    lastSnapshot: null,
    brokerOrderType: null,
    limitPrice: null,
    modifyPending: false,
    aggressiveReason: null,
    outcome: null,
  };
}
