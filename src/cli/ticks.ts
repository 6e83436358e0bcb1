/**
 * Tick sizes for showing prices: the instruments' minimum price increments from
 * `config/sim_market.yaml` (the exchanges' ticks; instruments not listed there take its default
 * `tick_size`). A file that cannot be read leaves prices as they are.
 */
import { loadSimMarketConfig } from '../config/sim-market.ts';
import type { TickSizes } from './output.ts';

let loaded: TickSizes | undefined;

export function configuredTickSizes(): TickSizes {
  if (loaded) return loaded;
  try {
    const market = loadSimMarketConfig();
    loaded = (code) => market.terms(code).tickSize;
  } catch {
    // not readable: prices are printed unrounded rather than at a guessed precision
    loaded = () => undefined;
  }
  return loaded;
}
