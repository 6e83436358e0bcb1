/**
 * `runSystemClassic` for one strategy (digest §7 runner): notional capital = the strategy's
 * current capital (missing → critical and refuse), run the classic system, store the buffered
 * optimal positions (date = now) and a diagnostics record of the intermediate series.
 */
import type { Clock } from '../src/clock.ts';
import { gridDate } from '../src/domain/system/calendar.ts';
import { type ClassicSystemResult, classicSystemSteps } from '../src/domain/system/classic-system.ts';
import type { ClassicSystemConfig } from '../src/domain/system/config.ts';
import type { Series } from '../src/domain/system/series.ts';
import { type Logger, logCritical } from '../src/log/logger.ts';
import { type CapitalStore, latestStrategyCapital } from '../src/store/capital-store.ts';
import type { DiagnosticsRecord, OptimalPositionRecord, StrategyStore } from '../src/store/strategy-store.ts';
import type { SystemDataSource } from '../src/store/system-data.ts';

export interface SystemRunnerDeps {
  data: SystemDataSource;
  capital: CapitalStore;
  strategies: StrategyStore;
  clock: Clock;
  log?: Logger;
  /** Rows of each intermediate series kept in the diagnostics record (default 256, one year). */
  diagnosticsRows?: number;
}

export interface SystemRunSummary {
  strategy_name: string;
  capital: number;
  positions: OptimalPositionRecord[];
  skipped: Array<{ instrument_code: string; reason: string }>;
}

export class MissingStrategyCapital extends Error {}

const tail = (x: Series, n: number): Array<number | null> =>
  Array.from(x.subarray(Math.max(0, x.length - n)), (v) => (Number.isNaN(v) ? null : v));

export function diagnosticsOf(
  strategy: string,
  created: string,
  capital: number,
  result: ClassicSystemResult,
  rows: number,
): DiagnosticsRecord {
  const n = Math.min(rows, result.grid.length);
  const dates = Array.from({ length: n }, (_, k) => gridDate(result.grid, result.grid.length - n + k));
  const instruments: DiagnosticsRecord['instruments'] = {};
  for (const [code, d] of Object.entries(result.diagnostics)) {
    const out: Record<string, Array<number | null>> = {};
    for (const [key, value] of Object.entries(d)) {
      if (value instanceof Float64Array) out[key] = tail(value, n);
      else if (value && typeof value === 'object')
        for (const [rule, s] of Object.entries(value as Record<string, Series>))
          out[`${key}.${rule}`] = tail(s, n);
    }
    instruments[code] = out;
  }
  return { strategy_name: strategy, created, capital, dates, instruments, skipped: result.skipped };
}

export async function runSystemForStrategy(
  strategy: string,
  config: ClassicSystemConfig,
  deps: SystemRunnerDeps,
): Promise<SystemRunSummary> {
  const cap = await latestStrategyCapital(deps.capital, strategy);
  if (!cap || !(cap.capital > 0)) {
    const msg = `no capital for strategy ${strategy}: run the capital allocation first`;
    if (deps.log) logCritical(deps.log, msg, { component: 'run_systems', strategy_name: strategy });
    throw new MissingStrategyCapital(msg);
  }
  const codes = config.instrument_weights ? Object.keys(config.instrument_weights) : undefined;
  const data = await deps.data.load(codes);
  // One instrument at a time, with a turn of the event loop between: the process's lease
  // heartbeat keeps going through a portfolio of any size.
  const steps = classicSystemSteps({ ...data, capital: cap.capital }, config);
  let step = steps.next();
  while (!step.done) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    step = steps.next();
  }
  const result = step.value;
  const now = new Date(deps.clock.now()).toISOString();
  const positions: OptimalPositionRecord[] = result.positions.map((p) => ({
    strategy_name: strategy,
    instrument_code: p.instrument_code,
    lower_position: p.lower_position,
    upper_position: p.upper_position,
    reference_price: p.reference_price,
    reference_contract: p.reference_contract,
    reference_datetime: now,
    price_date: p.reference_date,
  }));
  await deps.strategies.putOptimalPositions(strategy, positions);
  await deps.strategies.putDiagnostics(
    strategy,
    diagnosticsOf(strategy, now, cap.capital, result, deps.diagnosticsRows ?? 256),
  );
  deps.log?.info(
    {
      component: 'run_systems',
      strategy_name: strategy,
      positions: positions.length,
      skipped: result.skipped.length,
    },
    'optimal positions stored',
  );
  return { strategy_name: strategy, capital: cap.capital, positions, skipped: result.skipped };
}
