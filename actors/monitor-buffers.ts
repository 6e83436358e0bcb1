/**
 * The monitor's buffer bands and trade limits (issue 14 §4), read from the durable stores:
 * - buffers: for each strategy × instrument with a stored optimal position, the buffer band over
 *   time (the `lower_position` / `upper_position` series of the strategy's last system run, from
 *   its diagnostics), the stored optimal position (the band's last edges), and the actual
 *   strategy position over time, rebuilt from the fills;
 * - trade limits: every limit with its count and spare capacity, from the trade-limits bucket
 *   (the same rows `systack control trade-limits list` prints).
 */
import type { Clock } from '../src/clock.ts';
import { tradeLimitRow } from '../src/domain/orders/trade-limits.ts';
import type { StrategyStore } from '../src/store/strategy-store.ts';
import type { TradeLimitsStore } from '../src/store/trade-limits-store.ts';
import type { FillRecord } from './stack/types.ts';

export interface BufferRow {
  strategy_name: string;
  instrument_code: string;
  /** The stored optimal position: buffer edges of the latest run and when it ran. */
  lower_position: number;
  upper_position: number;
  reference_datetime: string;
  /** The band over time: [epoch ms of the day, lower, upper]. */
  band: Array<[number, number | null, number | null]>;
  /** The strategy's position after each fill: [epoch ms, position], from the first fill on. */
  position: Array<[number, number]>;
}

/** Strategy positions over time from fills (the strategy side of `applyFillToPositions`). */
function positionPaths(fills: FillRecord[]): Map<string, Array<[number, number]>> {
  const out = new Map<string, Array<[number, number]>>();
  const now = new Map<string, number>();
  for (const f of [...fills].sort((a, b) => a.time - b.time)) {
    if (f.scope === 'contract' || !f.strategyName) continue;
    const k = `${f.strategyName}/${f.instrumentCode}`;
    const p = (now.get(k) ?? 0) + f.qty;
    now.set(k, p);
    const path = out.get(k) ?? [];
    path.push([f.time, p]);
    out.set(k, path);
  }
  return out;
}

export async function bufferRows(
  strategies: readonly string[],
  store: StrategyStore,
  fills: FillRecord[],
  clock: Clock,
): Promise<BufferRow[]> {
  const paths = positionPaths(fills);
  const rows: BufferRow[] = [];
  for (const strategy of strategies) {
    const optimal = await store.getOptimalPositions(strategy);
    if (optimal.length === 0) continue;
    const diagnostics = await store.getDiagnostics(strategy);
    for (const o of optimal) {
      const series = diagnostics?.instruments[o.instrument_code];
      const lower = series?.lower_position ?? [];
      const upper = series?.upper_position ?? [];
      const band = (diagnostics?.dates ?? []).map((d, i): [number, number | null, number | null] => [
        Date.parse(d),
        lower[i] ?? null,
        upper[i] ?? null,
      ]);
      // Flat (0) before the first fill from the band's first day, and held until now.
      const path = paths.get(`${strategy}/${o.instrument_code}`) ?? [];
      const start = band[0]?.[0];
      const first = path[0];
      const flat: Array<[number, number]> =
        start !== undefined && (!first || start < first[0]) ? [[start, 0]] : [];
      const held = [...flat, ...path];
      const last = held[held.length - 1];
      const position = last ? [...held, [clock.now(), last[1]] as [number, number]] : [];
      rows.push({
        strategy_name: strategy,
        instrument_code: o.instrument_code,
        lower_position: o.lower_position,
        upper_position: o.upper_position,
        reference_datetime: o.reference_datetime,
        band,
        position,
      });
    }
  }
  return rows;
}

export async function tradeLimitRows(store: TradeLimitsStore, clock: Clock) {
  return (await store.list()).map((l) => tradeLimitRow(l, clock.now()));
}
