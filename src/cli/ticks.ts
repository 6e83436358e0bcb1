/**
 * Tick sizes for showing prices: the instruments' minimum price increments from
 * `config/sim_market.yaml` (the exchanges' ticks; instruments not listed there take its default
 * `tick_size`). The table is cached with the config (`src/config/cached.ts`), so a query does not
 * parse the YAML each call. A file that cannot be read leaves prices as they are.
 */
import { cacheKey, cachedJson } from '../config/cached.ts';
import { defaultConfigDir } from '../config/files.ts';
import type { TickTable } from '../config/sim-market.ts';
import type { TickSizes } from './output.ts';

let loaded: TickSizes | undefined;

export async function configuredTickSizes(): Promise<TickSizes> {
  if (loaded) return loaded;
  try {
    const file = `${defaultConfigDir()}/sim_market.yaml`;
    const table = await cachedJson<TickTable>(
      'ticks',
      cacheKey('ticks', [file]),
      async () => (await import('../config/sim-market.ts')).loadSimMarketConfig(file).tickTable,
    );
    loaded = (code) => table.instruments[code] ?? table.default;
  } catch {
    // not readable: prices are printed unrounded rather than at a guessed precision
    loaded = () => undefined;
  }
  return loaded;
}
