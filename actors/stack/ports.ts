import {
  allowedQty,
  charged,
  matchingLimits,
  newTradeLimit,
  rolled,
  type TradeLimit,
  type TradeLimitCharge,
  type TradeLimitChargeItem,
} from '../../src/domain/orders/trade-limits.ts';
import type { RollState } from '../../src/domain/rolls/roll-state.ts';
import type { AlgoName } from './types.ts';

/** The logger the stack handler needs (pino-compatible: `log.info(fields, msg)`); the project's
 * logger (`src/log/logger.ts`) also has the `critical` level. */
export interface StackLogger {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
  critical?: (fields: object, msg: string) => void;
}

export const silentLogger: StackLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Critical events (the reference's log_critical): the `critical` level, or error with `critical: true`. */
export function logCritical(log: StackLogger, msg: string, fields: object = {}): void {
  if (log.critical) log.critical(fields, msg);
  else log.error({ ...fields, critical: true }, msg);
}

export type { RollState };

/** Which contracts an instrument trades in, and its roll state (priced / forward contracts). */
export interface ContractResolver {
  rollState(instrumentCode: string): RollState;
  pricedContract(instrumentCode: string): string;
  forwardContract(instrumentCode: string): string;
}

/** A static resolver: one priced and one forward contract per instrument (from config or tests). */
export function staticContracts(
  table: Record<string, { priced: string; forward?: string; rollState?: RollState }>,
  fallback = { priced: '202612', forward: '202703' },
): ContractResolver {
  return {
    rollState: (i) => table[i]?.rollState ?? 'No_Roll',
    pricedContract: (i) => table[i]?.priced ?? fallback.priced,
    forwardContract: (i) => table[i]?.forward ?? table[i]?.priced ?? fallback.forward,
  };
}

/** Trade limits (digest F9): spare capacity and charging. */
export interface TradeLimits {
  /** Maximum abs quantity allowed now for (strategy, instrument); Infinity with no limits. */
  allowed(strategyName: string, instrumentCode: string, now: number): number | Promise<number>;
  /** Add `qty` to every matching limit; a named `charge` counts once per period (digest D4a). */
  charge(
    strategyName: string,
    instrumentCode: string,
    qty: number,
    now: number,
    charge?: TradeLimitCharge,
  ): void;
  /** Several charges at once (a restore's: trade-limit-charges.ts). */
  chargeMany(items: readonly TradeLimitChargeItem[], now: number): void;
  /** Resolves when every charge made so far is stored (stored limits: `stored-trade-limits.ts`). */
  flush?(): Promise<void>;
}

export interface TradeLimitSpec {
  instrumentCode: string;
  /** Empty for the instrument-only limit. */
  strategyName?: string;
  periodDays: number;
  limit: number;
}

/**
 * In-memory trade limits (tests, benchmarks, a handler without a store): the rules of
 * `src/domain/orders/trade-limits.ts` (F9's lazy rolling reset, named charges counted once per
 * period) on limits held here. A read resets the matching limits whose period has passed, as the
 * reference's read does.
 */
export function memoryTradeLimits(specs: TradeLimitSpec[] = []): TradeLimits {
  let limits = specs.map((s) =>
    newTradeLimit(
      {
        instrumentCode: s.instrumentCode,
        strategyName: s.strategyName ?? '',
        periodDays: s.periodDays,
        tradeLimit: s.limit,
      },
      Number.NEGATIVE_INFINITY,
    ),
  );
  const update = (strategy: string, instrument: string, f: (l: TradeLimit) => TradeLimit) => {
    const hit = new Set(matchingLimits(limits, strategy, instrument));
    limits = limits.map((l) => (hit.has(l) ? f(l) : l));
  };
  const charge: TradeLimits['charge'] = (st, i, qty, now, c) => update(st, i, (l) => charged(l, qty, now, c));
  return {
    allowed: (st, i, now) => {
      update(st, i, (l) => rolled(l, now));
      return allowedQty(limits, st, i, now);
    },
    charge,
    chargeMany: (items, now) => {
      for (const x of items) charge(x.strategyName, x.instrumentCode, x.qty, now, x.charge);
    },
  };
}

export interface StackConfig {
  /** Instrument → algo, overriding the allocation by order type (digest C6 `algo_overrides`). */
  algoOverrides?: Record<string, AlgoName>;
  /** Market algo and best algo give up after this long (digest E1/E2: 600 s). */
  totalTimeoutMs?: number;
  /** Best algo's passive phase (digest E2: 300 s). */
  passiveTimeoutMs?: number;
  /** Switch to market when less than this is left of the trading session (E2: 0.5 h). */
  closingBufferMs?: number;
  /** How long end of day waits for cancels to be confirmed (digest G2: 60 s). */
  eodCancelWaitMs?: number;
  /** Cut each broker order so its size is at most this (digest E1/E2 SIZE_LIMIT = 1). */
  algoSizeLimit?: number;
  /** Clock ms (the injected clock) between fills sweeps / completion scans in the loop (default 0 = every pass). */
  fillsSweepEveryMs?: number;
  /** Clock ms (the injected clock) between external position break checks in the loop (default 0 = every pass). */
  breakCheckEveryMs?: number;
  /**
   * Clock ms after a placement with an unknown outcome (timeout, lost connection) before an order
   * the broker still does not hold is taken as rejected (default 30 000, actors/stack/placement.ts).
   */
  placementConfirmMs?: number;
  /**
   * How long (real ms) the order host retries a journal write that fails (no ack, the store
   * restarting or full) before it stops (default 30 000; actors/host/journal-ride.ts).
   */
  journalRetryMs?: number;
  /** Publish every order change on `<prefix>.inspect.order.>` (default true). */
  inspect?: boolean;
}
