import { findSpike, type Spike } from './spike-check.ts';
import {
  type ContractPrices,
  concatContractPrices,
  concatF64,
  lowerBound,
  type PriceSeries,
} from './types.ts';

/** Result of merging new rows into stored ones (digest §6.2). */
export type MergeResult<T> =
  | { status: 'unchanged'; merged: T }
  | { status: 'merged'; merged: T; newRows: T; firstNewIndex: number }
  | { status: 'spike'; spike: Spike; newRows: T; firstNewIndex: number };

/** Rows of `newTimes` strictly later than the last stored time (digest §6.2 merge rule). */
function firstLaterIndex(oldTimes: Float64Array, newTimes: Float64Array): number {
  if (oldTimes.length === 0) return 0;
  return lowerBound(newTimes, (oldTimes[oldTimes.length - 1] as number) + 1e-3);
}

/**
 * Merge keeping past data, then spike check (digest §6.2, `merge_newer_data`): only rows strictly
 * after the last stored time are appended, history is never overwritten; nothing new → old data,
 * no check. The spike check runs on FINAL of the whole merged series from the first new row (all
 * rows when there was no old data). On a spike the batch is returned as `newRows`, not merged.
 */
export function mergeContractPrices(
  old: ContractPrices,
  incoming: ContractPrices,
  maxSpike: number,
): MergeResult<ContractPrices> {
  const from = firstLaterIndex(old.times, incoming.times);
  if (from >= incoming.times.length) return { status: 'unchanged', merged: old };
  const newRows: ContractPrices = {
    times: incoming.times.slice(from),
    open: incoming.open.slice(from),
    high: incoming.high.slice(from),
    low: incoming.low.slice(from),
    final: incoming.final.slice(from),
    volume: incoming.volume.slice(from),
  };
  const merged = concatContractPrices(old, newRows);
  const firstNewIndex = old.times.length;
  const spike = findSpike(merged.times, merged.final, firstNewIndex, maxSpike);
  if (spike) return { status: 'spike', spike, newRows, firstNewIndex };
  return { status: 'merged', merged, newRows, firstNewIndex };
}

/** The same merge for a single series (spot FX), with a working spike check (digest §6.2 FX bug fixed). */
export function mergeSeries(
  old: PriceSeries,
  incoming: PriceSeries,
  maxSpike: number,
): MergeResult<PriceSeries> {
  const from = firstLaterIndex(old.times, incoming.times);
  if (from >= incoming.times.length) return { status: 'unchanged', merged: old };
  const newRows: PriceSeries = { times: incoming.times.slice(from), values: incoming.values.slice(from) };
  const merged = {
    times: concatF64(old.times, newRows.times),
    values: concatF64(old.values, newRows.values),
  };
  const firstNewIndex = old.times.length;
  const spike = findSpike(merged.times, merged.values, firstNewIndex, maxSpike);
  if (spike) return { status: 'spike', spike, newRows, firstNewIndex };
  return { status: 'merged', merged, newRows, firstNewIndex };
}
