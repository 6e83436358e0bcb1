/**
 * Spreads in the broker port's terms, shared by the brokers: how many combos a spread's legs make,
 * each leg's signed ratio per combo, and a combo's quote implied by its legs' quotes (what the
 * simulated broker answers, and what an exchange's implied prices are).
 */
import type { BrokerLeg, MarketSnapshot, SpreadSnapshot } from './port.ts';

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Combos the legs make: the greatest common divisor of their sizes. */
export function comboSize(legs: ReadonlyArray<{ qty: number }>): number {
  return legs.reduce((g, l) => gcd(g, Math.abs(l.qty)), 0);
}

/**
 * The quote of one combo implied by its legs' quotes (same order as `legs`): buying a combo buys
 * each bought leg at its ask and sells each sold leg at its bid; selling it, the other way round.
 * The combo's size on a side is the fewest combos any leg's size on its side covers.
 */
export function impliedSpreadSnapshot(
  legs: BrokerLeg[],
  quotes: ReadonlyArray<Pick<MarketSnapshot, 'bid' | 'ask' | 'bidSize' | 'askSize'>>,
  time: number,
): SpreadSnapshot {
  const size = comboSize(legs);
  let bid = 0;
  let ask = 0;
  let bidSize = Infinity;
  let askSize = Infinity;
  legs.forEach((l, i) => {
    const q = quotes[i];
    if (!q) throw new Error(`implied spread quote: no quote for leg ${l.instrumentCode}/${l.contractDate}`);
    const ratio = l.qty / size;
    const r = Math.abs(ratio);
    bid += ratio > 0 ? r * q.bid : -r * q.ask;
    ask += ratio > 0 ? r * q.ask : -r * q.bid;
    bidSize = Math.min(bidSize, Math.floor((ratio > 0 ? q.bidSize : q.askSize) / r));
    askSize = Math.min(askSize, Math.floor((ratio > 0 ? q.askSize : q.bidSize) / r));
  });
  return { legs: legs.map((l) => ({ ...l })), bid, ask, bidSize, askSize, time };
}
