/**
 * The overrides the config implies (digest §2 B3; the reference's
 * `sysproduction/data/controls.py` `get_cumulative_override_for_instrument` config part):
 *   exclude_instrument_lists.bad_markets          → reduce-only
 *   exclude_instrument_lists.ignore_instruments   → reduce-only
 *   duplicate_instruments.exclude                 → reduce-only
 *   exclude_instrument_lists.trading_restrictions → no-trading
 * An instrument in more than one list takes the strongest (no-trading beats reduce-only). The
 * generator multiplies these with the stored overrides.
 */
import { multiplyOverrides, type Override } from './overrides.ts';

export interface InstrumentListsConfig {
  exclude_instrument_lists: {
    ignore_instruments: readonly string[];
    trading_restrictions: readonly string[];
    bad_markets: readonly string[];
  };
  duplicate_instruments: { exclude: Record<string, string | readonly string[]> };
}

const REDUCE_ONLY: Override = { type: 'reduce_only' };
const NO_TRADING: Override = { type: 'no_trading' };

export function configOverrides(config: InstrumentListsConfig): Record<string, Override> {
  const out: Record<string, Override> = {};
  const add = (codes: Iterable<string>, o: Override) => {
    for (const c of codes) out[c] = out[c] ? multiplyOverrides(out[c], o) : o;
  };
  const lists = config.exclude_instrument_lists;
  add(lists.bad_markets, REDUCE_ONLY);
  add(lists.ignore_instruments, REDUCE_ONLY);
  add(Object.values(config.duplicate_instruments.exclude).flat(), REDUCE_ONLY);
  add(lists.trading_restrictions, NO_TRADING);
  return out;
}
