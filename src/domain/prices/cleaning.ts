import type { ContractPrices } from './types.ts';

/** Price cleaning settings (digest §6.1, pysystemtrade defaults.yaml). */
export interface PriceCleaningConfig {
  ignoreFuturePrices: boolean;
  ignorePricesWithZeroVolumesIntraday: boolean;
  ignorePricesWithZeroVolumesDaily: boolean;
  ignoreZeroPrices: boolean;
  ignoreNegativePrices: boolean;
}

export const DEFAULT_CLEANING: PriceCleaningConfig = {
  ignoreFuturePrices: true,
  ignorePricesWithZeroVolumesIntraday: true,
  ignorePricesWithZeroVolumesDaily: false,
  ignoreZeroPrices: true,
  ignoreNegativePrices: false,
};

export interface RawBar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/**
 * Cleaning before merge (digest §6.1, `sysdata/tools/cleaner.py`): drop rows stamped after `now`,
 * zero-volume rows (intraday by default, daily only if configured), rows whose FINAL is zero, and
 * negative FINAL if configured. Also sorts by time and keeps the last bar of a duplicated time, so
 * what reaches the merge is strictly ascending.
 */
export function cleanBars(
  bars: readonly RawBar[],
  daily: boolean,
  now: number,
  cfg: PriceCleaningConfig,
): RawBar[] {
  const dropZeroVolume = daily
    ? cfg.ignorePricesWithZeroVolumesDaily
    : cfg.ignorePricesWithZeroVolumesIntraday;
  const kept = bars.filter((b) => {
    if (!Number.isFinite(b.time)) return false;
    if (cfg.ignoreFuturePrices && b.time > now) return false;
    if (dropZeroVolume && b.volume === 0) return false;
    if (Number.isNaN(b.close)) return false;
    if (cfg.ignoreZeroPrices && b.close === 0) return false;
    if (cfg.ignoreNegativePrices && b.close < 0) return false;
    return true;
  });
  kept.sort((a, b) => a.time - b.time);
  const out: RawBar[] = [];
  for (const b of kept) {
    if (out.length > 0 && out[out.length - 1]?.time === b.time) out[out.length - 1] = b;
    else out.push(b);
  }
  return out;
}

export function barsToContractPrices(bars: readonly RawBar[]): ContractPrices {
  const n = bars.length;
  const p: ContractPrices = {
    times: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    final: new Float64Array(n),
    volume: new Float64Array(n),
  };
  bars.forEach((b, i) => {
    p.times[i] = b.time;
    p.open[i] = b.open;
    p.high[i] = b.high;
    p.low[i] = b.low;
    p.final[i] = b.close;
    p.volume[i] = b.volume;
  });
  return p;
}

/**
 * Merged (daily + intraday) prices of one contract: the union of both, the daily row winning
 * where both have the same stamp (pysystemtrade's merged frequency).
 */
export function mergeFrequencies(daily: ContractPrices, intraday: ContractPrices): ContractPrices {
  const rows: Array<[ContractPrices, number]> = [];
  let i = 0;
  let j = 0;
  while (i < daily.times.length || j < intraday.times.length) {
    const td = i < daily.times.length ? (daily.times[i] as number) : Number.POSITIVE_INFINITY;
    const ti = j < intraday.times.length ? (intraday.times[j] as number) : Number.POSITIVE_INFINITY;
    if (td <= ti) {
      rows.push([daily, i++]);
      if (td === ti) j++;
    } else rows.push([intraday, j++]);
  }
  const n = rows.length;
  const out: ContractPrices = {
    times: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    final: new Float64Array(n),
    volume: new Float64Array(n),
  };
  rows.forEach(([src, k], r) => {
    out.times[r] = src.times[k] as number;
    out.open[r] = src.open[k] as number;
    out.high[r] = src.high[k] as number;
    out.low[r] = src.low[k] as number;
    out.final[r] = src.final[k] as number;
    out.volume[r] = src.volume[k] as number;
  });
  return out;
}
