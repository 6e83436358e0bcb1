/**
 * The markets the remove markets report leaves out of its judgement (the reference's
 * `get_remove_market_data`: `exclude_instruments = ignored ∪ stale`): the config's
 * `exclude_instrument_lists.ignore_instruments`, and the stale instruments — the config's
 * `stale_instruments` (the reference's list) and, as well, any instrument without an adjusted
 * price in the last STALE_PRICE_DAYS (its cost, volume and risk figures are old). A market left
 * out that is already in bad_markets stays there (it cannot be shown to be good).
 */
export const STALE_PRICE_DAYS = 7;
const STALE_PRICE_MS = STALE_PRICE_DAYS * 86_400_000;

export interface MarketsLeftOut {
  ignored: string[];
  /** Configured stale or without a recent price. */
  stale: string[];
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

/** Stale instruments: listed in `stale_instruments`, or with no adjusted price since now − 7 days. */
export function staleInstruments(
  markets: ReadonlyArray<{ instrumentCode: string; lastPriceTime?: number }>,
  configured: readonly string[],
  now: number,
): string[] {
  return sorted([
    ...configured,
    ...markets
      .filter((m) => m.lastPriceTime === undefined || now - m.lastPriceTime > STALE_PRICE_MS)
      .map((m) => m.instrumentCode),
  ]);
}

export function marketsLeftOut(
  markets: ReadonlyArray<{ instrumentCode: string; lastPriceTime?: number }>,
  config: { ignore_instruments: readonly string[]; stale_instruments: readonly string[] },
  now: number,
): MarketsLeftOut {
  return {
    ignored: sorted(config.ignore_instruments),
    stale: staleInstruments(markets, config.stale_instruments, now),
  };
}
