import { approximateExpiry, contractChain } from '../../src/domain/prices/contract-dates.ts';
import { currentContracts } from '../../src/domain/prices/multiple-update.ts';
import type { SampledContract } from '../../src/store/price-store.ts';
import { errorText, instrumentsToUpdate, type PriceUpdateDeps } from './deps.ts';

export interface SampledContractsResult {
  instrumentCode: string;
  sampling: string[];
  stopped: string[];
}

/**
 * update_sampled_contracts (production doc "Update sampled contracts"; digest §6.6): sample the
 * PricedRollCycle chain spanning the current price, forward and carry contracts (from the last
 * multiple-prices row and the roll config), stop sampling any other, and refresh expiries from
 * the broker's contract details (falling back to the roll config's ExpiryOffset, flagged).
 */
export async function updateSampledContracts(deps: PriceUpdateDeps): Promise<SampledContractsResult[]> {
  const { store, broker, log } = deps;
  const results: SampledContractsResult[] = [];
  for (const instrumentCode of await instrumentsToUpdate(deps)) {
    const roll = (await store.getInstrumentConfig(instrumentCode))?.roll;
    const multiple = await store.getMultiplePrices(instrumentCode);
    if (!roll || !multiple || multiple.times.length === 0) {
      log.warn({ instrument_code: instrumentCode }, 'no roll config or multiple prices: not sampling');
      continue;
    }
    const c = currentContracts(multiple);
    const ends = [c.price, c.forward, c.carry].sort();
    let wanted: string[];
    try {
      wanted = contractChain(ends[0] as string, ends[2] as string, roll);
    } catch {
      wanted = [...new Set(ends)];
    }
    const existing = await store.getSampledContracts(instrumentCode);
    const next: SampledContract[] = [];
    for (const contractDate of wanted) {
      let expiryDate: string;
      let expiryApproximate = false;
      try {
        const details = await broker.contractDetails({ instrumentCode, contractDate });
        expiryDate = details.expiryDate;
      } catch (err) {
        expiryDate = approximateExpiry(contractDate, roll);
        expiryApproximate = true;
        log.warn(
          { instrument_code: instrumentCode, contract_date: contractDate, error: errorText(err) },
          'no contract details from broker: expiry from roll config',
        );
      }
      next.push({ contractDate, expiryDate, expiryApproximate, sampling: true });
    }
    const stopped = existing.filter((e) => e.sampling && !wanted.includes(e.contractDate));
    for (const e of existing) if (!wanted.includes(e.contractDate)) next.push({ ...e, sampling: false });
    next.sort((a, b) => a.contractDate.localeCompare(b.contractDate));
    await store.putSampledContracts(instrumentCode, next);
    for (const s of stopped)
      log.info({ instrument_code: instrumentCode, contract_date: s.contractDate }, 'stopped sampling');
    results.push({ instrumentCode, sampling: wanted, stopped: stopped.map((s) => s.contractDate) });
  }
  return results;
}
