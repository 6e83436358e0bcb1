import type { Clock } from '../../clock.ts';
import type { ContractId, TradingHours } from '../port.ts';
import type { SimPriceSource } from './price-source.ts';
import type { TradingCalendar } from './sessions.ts';
import type { SimBrokerStore } from './state.ts';

/** How one instrument trades on the simulated market (docs/simulated-broker.md). */
export interface SimInstrumentTerms {
  /** Minimum price increment: every quote, fill and bar price is a whole number of ticks. */
  tickSize: number;
  /** Full bid/ask spread in ticks (at least 1). */
  spreadTicks: number;
  /** Contract multiplier (the instrument config's Pointsize). */
  pointSize: number;
  currency: string;
  /** The reference's cost model: max(per block × contracts, percentage × value, per trade). */
  commission: { perBlock: number; percentage: number; perTrade: number };
  /** Sessions and holidays: no quote moves and no fill happens outside them. */
  calendar: TradingCalendar;
  /** Days after the 1st of the contract month the contract expires (the roll config's ExpiryOffset). */
  expiryOffset?: number;
}

/** FX rates of the simulated market (`<CCY><BASE>` codes, e.g. EURUSD). */
export interface SimFxSource {
  fxRate(code: string, time: number): number | undefined;
}

/** Configuration of the simulated broker. */
export interface SimBrokerConfig {
  clock: Clock;
  /** Every random choice (rejects, partials, races) is drawn from a PRNG seeded with this. */
  seed?: number;
  prices?: SimPriceSource;
  /** Full bid/ask spread in price units per instrument (the spread-cost config); default below. */
  spreads?: Record<string, number>;
  defaultSpread?: number;
  /** Size shown at bid and at ask. */
  topOfBookSize?: number;
  /** Real milliseconds before each acknowledgement / fill is reported; 0 = next turn of the event loop. */
  latencyMs?: number;
  partialFillProbability?: number;
  rejectProbability?: number;
  duplicateFillProbability?: number;
  /** Probability that an order cancelled before it filled still fills afterwards (#1580). */
  lateFillAfterCancelProbability?: number;
  /** Probability that a cancel arrives after the order has filled (the fill wins). */
  cancelRaceProbability?: number;
  /** Persist orders and fills so a restarted process sees the same broker. */
  store?: SimBrokerStore;
  /**
   * When saving a new order fails, `placeOrder` throws `SimPlacementUnconfirmed` (an unknown
   * outcome) and the order is either kept — like a real broker that took an order whose answer
   * was lost: the save is retried, and only once saved is it acknowledged and filled — or dropped
   * (never in the book, never filled). Default `keep`.
   */
  onSaveFailure?: 'keep' | 'drop';
  /** Real ms between retries of a failed order save (default 100). */
  saveRetryMs?: number;
  /** Real ms between checks of resting limit orders; 0 disables the timer (call `evaluateResting`). */
  restingCheckMs?: number;
  tradingHours?: (contract: ContractId, now: number) => TradingHours;
  /** Starting capital of the simulated account (USD); net liquidation adds P&L and commissions. */
  accountValue?: number;
  /**
   * Terms per instrument (tick grid, spread, commission, point size, sessions). Without them the
   * market is the plain test market: always open, `spreads` / `defaultSpread`, no commission,
   * and an account value that does not move.
   */
  terms?: (instrumentCode: string) => SimInstrumentTerms | undefined;
  /** FX rates (account value in USD of non-USD instruments, FX price updates). */
  fx?: SimFxSource;
  /** The FX market's calendar (when FX rates are published). */
  fxCalendar?: TradingCalendar;
}
