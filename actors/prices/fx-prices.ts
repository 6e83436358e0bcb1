import { mergeSeries } from '../../src/domain/prices/merge.ts';
import { formatNaiveTimestamp } from '../../src/domain/prices/time.ts';
import { emptySeries, type PriceSeries } from '../../src/domain/prices/types.ts';
import { errorText, type PriceUpdateDeps } from './deps.ts';

export interface FxPricesResult {
  fxCode: string;
  status: 'merged' | 'unchanged' | 'spike' | 'error';
  newRows: number;
  message?: string;
}

/** Broker FX points → a clean ascending series: drop future, non-finite and non-positive rates; last wins on a tie. */
function toSeries(points: Array<{ time: number; price: number }>, now: number): PriceSeries {
  const kept = points
    .filter((p) => Number.isFinite(p.time) && p.time <= now && Number.isFinite(p.price) && p.price > 0)
    .sort((a, b) => a.time - b.time);
  const out: Array<{ time: number; price: number }> = [];
  for (const p of kept) {
    if (out.length > 0 && out[out.length - 1]?.time === p.time) out[out.length - 1] = p;
    else out.push(p);
  }
  return { times: Float64Array.from(out, (p) => p.time), values: Float64Array.from(out, (p) => p.price) };
}

/**
 * update_fx_prices (production doc "Get spot FX data"; digest §6.2). Merge keeping past data with
 * a spike check that works: the reference passes no max_spike for FX, so its check never fires
 * (digest §6.2 "FX", same class as #648); here max_price_spike applies as for futures. A spike
 * writes nothing, quarantines the batch and logs a critical "FX Price Spike <code>".
 */
export async function updateFxPrices(deps: PriceUpdateDeps): Promise<FxPricesResult[]> {
  const { store, broker, clock, log, config } = deps;
  const results: FxPricesResult[] = [];
  for (const fxCode of config.fxCodes ?? (await store.listFxPrices())) {
    try {
      const old = (await store.getFxPrices(fxCode)) ?? emptySeries();
      const since = old.times.length > 0 ? old.times[old.times.length - 1] : undefined;
      const incoming = toSeries(await broker.fxHistoricalPrices(fxCode, since), clock.now());
      const r = mergeSeries(old, incoming, config.maxPriceSpike);
      if (r.status === 'unchanged') {
        results.push({ fxCode, status: 'unchanged', newRows: 0 });
      } else if (r.status === 'spike') {
        await store.putQuarantine({
          target: { kind: 'fx', fxCode },
          rows: Array.from(r.newRows.times, (time, i) => ({ time, final: r.newRows.values[i] as number })),
          spikeTime: r.spike.time,
          spikeRatio: r.spike.ratio,
          maxSpike: config.maxPriceSpike,
          detectedAt: clock.now(),
        });
        log.critical(`FX Price Spike ${fxCode}`, {
          currency_code: fxCode,
          spike_time: formatNaiveTimestamp(r.spike.time),
          spike_ratio: r.spike.ratio,
          max_price_spike: config.maxPriceSpike,
        });
        results.push({
          fxCode,
          status: 'spike',
          newRows: 0,
          message: `spike at ${formatNaiveTimestamp(r.spike.time)}`,
        });
      } else {
        await store.putFxPrices(fxCode, r.merged);
        if (await store.getQuarantine({ kind: 'fx', fxCode }))
          await store.deleteQuarantine({ kind: 'fx', fxCode });
        log.info({ currency_code: fxCode, new_rows: r.newRows.times.length }, 'fx prices updated');
        results.push({ fxCode, status: 'merged', newRows: r.newRows.times.length });
      }
    } catch (err) {
      log.warn({ currency_code: fxCode, error: errorText(err) }, 'fx price update failed');
      results.push({ fxCode, status: 'error', newRows: 0, message: errorText(err) });
    }
  }
  return results;
}
