import type { PriceStore } from '../../src/store/price-store.ts';
import { type ContractResolver, type RollState, staticContracts } from './ports.ts';

/**
 * Which contracts the stack handler trades: the priced and forward contracts of the last row of
 * each instrument's multiple prices (the contracts the strategy's reference prices come from).
 * Roll states default to No_Roll until a roll-state service exists.
 */
export async function contractsFromPriceStore(
  store: PriceStore,
  rollStates: Record<string, RollState> = {},
): Promise<ContractResolver> {
  const table: Record<string, { priced: string; forward?: string; rollState?: RollState }> = {};
  for (const code of await store.listMultiplePrices()) {
    const m = await store.getMultiplePrices(code);
    const last = m ? m.times.length - 1 : -1;
    if (!m || last < 0) continue;
    const priced = m.priceContract[last];
    if (!priced) continue;
    table[code] = { priced, forward: m.forwardContract[last] || undefined, rollState: rollStates[code] };
  }
  return staticContracts(table);
}
