import { barsToContractPrices, cleanBars } from '../../src/domain/prices/cleaning.ts';
import { mergeContractPrices } from '../../src/domain/prices/merge.ts';
import { closingTimeOfDay, formatNaiveTimestamp } from '../../src/domain/prices/time.ts';
import { emptyContractPrices } from '../../src/domain/prices/types.ts';
import type { PriceFrequency, QuarantineRow, QuarantineTarget } from '../../src/store/price-store.ts';
import { errorText, instrumentsToUpdate, type PriceUpdateDeps } from './deps.ts';

export interface HistoricalPricesResult {
  instrumentCode: string;
  contractDate: string;
  frequency: PriceFrequency;
  status: 'merged' | 'unchanged' | 'spike' | 'error';
  newRows: number;
  message?: string;
}

/**
 * update_historical_prices (production doc "Update futures contract historical price data";
 * digest §6.1, §6.2, §6.6). For every sampled contract, daily and intraday (intraday_frequency)
 * bars are fetched from the broker, cleaned (§6.1), and merged separately keeping past data with
 * the spike check on FINAL (§6.2). Daily bars are stamped at the notional closing time 23:00.
 * On a spike nothing is written for that contract/frequency: the batch goes to the quarantine for
 * the manual check and a critical "Price Spike <instrument>" is logged.
 */
export async function updateHistoricalPrices(deps: PriceUpdateDeps): Promise<HistoricalPricesResult[]> {
  const { store, log } = deps;
  const results: HistoricalPricesResult[] = [];
  for (const instrumentCode of await instrumentsToUpdate(deps)) {
    const sampled = (await store.getSampledContracts(instrumentCode)).filter((c) => c.sampling);
    if (sampled.length === 0) log.warn({ instrument_code: instrumentCode }, 'no sampled contracts');
    for (const { contractDate } of sampled) {
      for (const frequency of ['D', deps.config.intradayFrequency] as PriceFrequency[]) {
        try {
          results.push(await updateOne(deps, instrumentCode, contractDate, frequency));
        } catch (err) {
          log.warn(
            {
              instrument_code: instrumentCode,
              contract_date: contractDate,
              frequency,
              error: errorText(err),
            },
            'price update failed',
          );
          results.push({
            instrumentCode,
            contractDate,
            frequency,
            status: 'error',
            newRows: 0,
            message: errorText(err),
          });
        }
      }
    }
  }
  return results;
}

async function updateOne(
  deps: PriceUpdateDeps,
  instrumentCode: string,
  contractDate: string,
  frequency: PriceFrequency,
): Promise<HistoricalPricesResult> {
  const { store, broker, clock, log, config } = deps;
  const daily = frequency === 'D';
  const old =
    (await store.getContractPrices(instrumentCode, contractDate, frequency)) ?? emptyContractPrices();
  const since = old.times.length > 0 ? old.times[old.times.length - 1] : undefined;
  const raw = await broker.historicalPrices({ instrumentCode, contractDate }, frequency, since);
  // clean on the broker's own stamps (so today's daily bar is not "in the future"), then stamp
  // daily bars at the notional close; a second pass keeps the last bar of a day
  let bars = cleanBars(raw, daily, clock.now(), config.cleaning);
  if (daily) {
    const restamped = bars.map((b) => ({ ...b, time: closingTimeOfDay(b.time) }));
    bars = cleanBars(restamped, daily, Number.POSITIVE_INFINITY, config.cleaning);
  }
  const incoming = barsToContractPrices(bars);
  const result = mergeContractPrices(old, incoming, config.maxPriceSpike);
  const target: QuarantineTarget = { kind: 'futures', instrumentCode, contractDate, frequency };
  const base = { instrumentCode, contractDate, frequency };
  if (result.status === 'unchanged') return { ...base, status: 'unchanged', newRows: 0 };
  if (result.status === 'spike') {
    const p = result.newRows;
    const rows: QuarantineRow[] = Array.from(p.times, (time, i) => ({
      time,
      open: p.open[i] as number,
      high: p.high[i] as number,
      low: p.low[i] as number,
      final: p.final[i] as number,
      volume: p.volume[i] as number,
    }));
    await store.putQuarantine({
      target,
      rows,
      spikeTime: result.spike.time,
      spikeRatio: result.spike.ratio,
      maxSpike: config.maxPriceSpike,
      detectedAt: clock.now(),
    });
    log.critical(`Price Spike ${instrumentCode}`, {
      instrument_code: instrumentCode,
      contract_date: contractDate,
      frequency,
      spike_time: formatNaiveTimestamp(result.spike.time),
      spike_ratio: result.spike.ratio,
      max_price_spike: config.maxPriceSpike,
      rows_quarantined: rows.length,
    });
    return {
      ...base,
      status: 'spike',
      newRows: 0,
      message: `spike at ${formatNaiveTimestamp(result.spike.time)}`,
    };
  }
  await store.putContractPrices(instrumentCode, contractDate, frequency, result.merged);
  // a clean batch supersedes an earlier quarantined one (it holds the same rows, re-fetched)
  if (await store.getQuarantine(target)) await store.deleteQuarantine(target);
  log.info(
    { ...base, instrument_code: instrumentCode, new_rows: result.newRows.times.length },
    'prices updated',
  );
  return { ...base, status: 'merged', newRows: result.newRows.times.length };
}
