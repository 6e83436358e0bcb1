import { updateAdjustedPrices } from '../../src/domain/prices/adjusted-update.ts';
import { mergeFrequencies } from '../../src/domain/prices/cleaning.ts';
import { currentContracts, updateMultiplePrices } from '../../src/domain/prices/multiple-update.ts';
import { panamaStitch } from '../../src/domain/prices/panama.ts';
import { type ContractPrices, emptyContractPrices } from '../../src/domain/prices/types.ts';
import type { PriceStore } from '../../src/store/price-store.ts';
import { errorText, instrumentsToUpdate, type PriceUpdateDeps } from './deps.ts';

export interface MultipleAdjustedResult {
  instrumentCode: string;
  status: 'updated' | 'error';
  multipleRows: number;
  adjustedRows: number;
  message?: string;
}

/** A contract's merged (daily + intraday) prices (pysystemtrade's merged frequency). */
export async function mergedContractPrices(
  store: PriceStore,
  instrumentCode: string,
  contractDate: string,
  intraday: PriceUpdateDeps['config']['intradayFrequency'],
): Promise<ContractPrices> {
  const [d, h] = await Promise.all([
    store.getContractPrices(instrumentCode, contractDate, 'D'),
    store.getContractPrices(instrumentCode, contractDate, intraday),
  ]);
  return mergeFrequencies(d ?? emptyContractPrices(), h ?? emptyContractPrices());
}

/**
 * update_multiple_adjusted_prices (production doc "Update multiple and adjusted prices"; digest
 * §6.3): merge the current contracts' prices into multiple prices, then append to adjusted prices
 * the new PRICE rows (no roll). No spike check here (the per-contract prices are checked). A roll
 * that was not registered is a critical log and that instrument is left unchanged.
 */
export async function updateMultipleAdjustedPrices(deps: PriceUpdateDeps): Promise<MultipleAdjustedResult[]> {
  const { store, log, config } = deps;
  const results: MultipleAdjustedResult[] = [];
  for (const instrumentCode of await instrumentsToUpdate(deps)) {
    try {
      const multiple = await store.getMultiplePrices(instrumentCode);
      if (!multiple || multiple.times.length === 0) throw new Error('no multiple prices');
      const c = currentContracts(multiple);
      const get = (contract: string): Promise<ContractPrices> =>
        mergedContractPrices(store, instrumentCode, contract, config.intradayFrequency);
      const [price, forward, carry] = await Promise.all([get(c.price), get(c.forward), get(c.carry)]);
      const newMultiple = updateMultiplePrices(multiple, { price, forward, carry });
      const adjusted = (await store.getAdjustedPrices(instrumentCode)) ?? panamaStitch(newMultiple);
      const newAdjusted = updateAdjustedPrices(adjusted, newMultiple);
      await store.putMultiplePrices(instrumentCode, newMultiple);
      await store.putAdjustedPrices(instrumentCode, newAdjusted);
      const r = {
        instrumentCode,
        status: 'updated' as const,
        multipleRows: newMultiple.times.length - multiple.times.length,
        adjustedRows: newAdjusted.times.length - adjusted.times.length,
      };
      log.info({ instrument_code: instrumentCode, ...r }, 'multiple and adjusted prices updated');
      results.push(r);
    } catch (err) {
      log.critical(`multiple/adjusted price update failed for ${instrumentCode}: ${errorText(err)}`, {
        instrument_code: instrumentCode,
      });
      results.push({
        instrumentCode,
        status: 'error',
        multipleRows: 0,
        adjustedRows: 0,
        message: errorText(err),
      });
    }
  }
  return results;
}
