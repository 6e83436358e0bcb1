import type { Clock } from '../../clock.ts';
import type { ContractId, TradingHours } from '../port.ts';
import type { SimPriceSource } from './price-source.ts';
import type { SimBrokerStore } from './state.ts';

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
  /** Real ms between checks of resting limit orders; 0 disables the timer (call `evaluateResting`). */
  restingCheckMs?: number;
  tradingHours?: (contract: ContractId, now: number) => TradingHours;
  accountValue?: number;
}
