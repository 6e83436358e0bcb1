/**
 * The classic system (digest §7, `runSystemClassic`): every instrument's subsystem, then the
 * portfolio (instrument weights, IDM, notional position) and buffers. Production takes the
 * last row: optimal position = (lower, upper) buffer edges with the reference price (last
 * daily adjusted price) and reference contract (the priced contract now).
 */
import { applyBuffers, bufferSize } from './buffers.ts';
import { type BusinessDayGrid, gridDate } from './calendar.ts';
import type { ClassicSystemConfig } from './config.ts';
import type { PriceSeries } from '../prices/types.ts';
import { instrumentWeights, notionalPosition } from './portfolio.ts';
import { asofMidnight, businessDayOfTime, ffillFrom, lastValid, type Series } from './series.ts';
import { type InstrumentData, runSubsystem, type SubsystemResult, type SubsystemSpans } from './subsystem.ts';

export interface ClassicSystemInput {
  instruments: InstrumentData[];
  /** FX series: USD value of one unit of the currency (pysystemtrade `fx_prices_csv/XXXUSD`). */
  fx_to_usd: Record<string, PriceSeries>;
  /** Notional trading capital = the strategy's capital (digest §7 runner step 1). */
  capital: number;
}

export interface OptimalPosition {
  instrument_code: string;
  lower_position: number;
  upper_position: number;
  notional_position: number;
  reference_price: number;
  reference_contract: string;
  /** Date (YYYY-MM-DD) of the system's last row. */
  reference_date: string;
}

export interface InstrumentDiagnostics extends SubsystemResult {
  instrument_weight: Series;
  notional_position: Series;
  buffer: Series;
  upper_position: Series;
  lower_position: Series;
}

export interface ClassicSystemResult {
  grid: BusinessDayGrid;
  positions: OptimalPosition[];
  diagnostics: Record<string, InstrumentDiagnostics>;
  /** The grid rows each instrument's pandas series have (price, multiple prices, ICV, forecast). */
  spans: Record<string, SubsystemSpans>;
  /** Instruments skipped, with the reason (e.g. no FX rate for their currency). */
  skipped: Array<{ instrument_code: string; reason: string }>;
}

export function gridCovering(instruments: InstrumentData[]): BusinessDayGrid {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const d of instruments) {
    for (const times of [d.adjusted.times, d.multiple.times]) {
      if (times.length === 0) continue;
      lo = Math.min(lo, businessDayOfTime(times[0]!));
      hi = Math.max(hi, businessDayOfTime(times[times.length - 1]!));
    }
  }
  if (!Number.isFinite(lo)) throw new Error('classic system: no price data');
  return { start: lo, length: hi - lo + 1 };
}

/**
 * FX rate from an instrument's currency to the base currency, crossing through USD, on the grid
 * as pysystemtrade aligns it: `fx.reindex(daily_index, method="ffill")` of the raw rates, so each
 * business day (midnight) takes the last rate stamped at or before it — a close stamped 23:00 the
 * evening before is the previous day's rate (`systems/positionsizing.py`).
 */
export function fxRateSeries(
  currency: string,
  base: string,
  fx: Record<string, PriceSeries>,
  grid: BusinessDayGrid,
): Series | undefined {
  const toUsd = (ccy: string): Series | undefined => {
    if (ccy === 'USD') return new Float64Array(grid.length).fill(1);
    const s = fx[ccy];
    return s ? asofMidnight(s, grid) : undefined;
  };
  if (currency === base) return new Float64Array(grid.length).fill(1);
  const a = toUsd(currency);
  const b = toUsd(base);
  if (!a || !b) return undefined;
  const out = new Float64Array(grid.length);
  for (let i = 0; i < out.length; i++) out[i] = a[i]! / b[i]!;
  return out;
}

/** The classic system at once (tests, backtests): every step of `classicSystemSteps` in a row. */
export function runClassicSystem(
  input: ClassicSystemInput,
  config: ClassicSystemConfig,
): ClassicSystemResult {
  const steps = classicSystemSteps(input, config);
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
  }
}

/**
 * The classic system one instrument's subsystem at a time: yields the instrument code after each,
 * returns the result. A process drives it with a pause between steps, so a large portfolio never
 * holds its event loop (and its lease heartbeat) for the whole run; the numbers are the same.
 */
export function* classicSystemSteps(
  input: ClassicSystemInput,
  config: ClassicSystemConfig,
): Generator<string, ClassicSystemResult, void> {
  if (!(input.capital > 0)) throw new Error(`classic system: capital must be > 0, got ${input.capital}`);
  const skipped: ClassicSystemResult['skipped'] = [];
  const wanted = config.instrument_weights
    ? input.instruments.filter((d) => d.instrument_code in config.instrument_weights!)
    : input.instruments;
  const grid = gridCovering(wanted);
  const subsystems: SubsystemResult[] = [];
  const spans: Record<string, SubsystemSpans> = {};
  for (const d of wanted) {
    const fx = fxRateSeries(d.currency, config.base_currency, input.fx_to_usd, grid);
    if (!fx) {
      skipped.push({
        instrument_code: d.instrument_code,
        reason: `no FX rate ${d.currency}/${config.base_currency}`,
      });
      continue;
    }
    if (!(d.pointsize > 0)) {
      skipped.push({ instrument_code: d.instrument_code, reason: 'no point size' });
      continue;
    }
    const run = runSubsystem(d, fx, grid, config, input.capital);
    subsystems.push(run.result);
    spans[d.instrument_code] = run.spans;
    yield d.instrument_code;
  }
  // an instrument whose subsystem position is never non-zero gets weight 0
  // (`instruments_without_data_or_weights`, systems/portfolio.py)
  const fixed = subsystems.map((s) =>
    !s.subsystem_position.some((v) => v !== 0 && !Number.isNaN(v))
      ? 0
      : config.instrument_weights
        ? config.instrument_weights[s.instrument_code]!
        : 1 / subsystems.length,
  );
  const weights = instrumentWeights(
    fixed,
    subsystems.map((s) => s.subsystem_position),
    grid.length,
    { span: config.instrument_weight_ewma_span },
  );
  const idm = config.instrument_div_multiplier;
  const positions: OptimalPosition[] = [];
  const diagnostics: Record<string, InstrumentDiagnostics> = {};
  subsystems.forEach((s, k) => {
    const w = weights[k]!;
    // after the instrument's last row, its values are carried to the end of the common grid
    const end = spans[s.instrument_code]!.forecast.last;
    ffillFrom(s.combined_forecast, end);
    ffillFrom(s.subsystem_position, end);
    const notional = ffillFrom(notionalPosition(s.subsystem_position, w, idm), end);
    const buffer = bufferSize(config.buffer_method, config.buffer_size, {
      notional,
      volScalar: s.vol_scalar,
      weight: w,
      idm,
    });
    const { top, bottom } = applyBuffers(notional, buffer);
    diagnostics[s.instrument_code] = {
      ...s,
      instrument_weight: w,
      notional_position: notional,
      buffer,
      upper_position: top,
      lower_position: bottom,
    };
    const last = grid.length - 1;
    const price = lastValid(s.daily_prices);
    const data = wanted.find((d) => d.instrument_code === s.instrument_code)!;
    const pc = data.multiple.priceContract;
    if (!price || Number.isNaN(top[last]!) || Number.isNaN(bottom[last]!)) {
      skipped.push({ instrument_code: s.instrument_code, reason: 'no position on the last row' });
      return;
    }
    positions.push({
      instrument_code: s.instrument_code,
      lower_position: bottom[last]!,
      upper_position: top[last]!,
      notional_position: notional[last]!,
      reference_price: price.value,
      reference_contract: pc.length > 0 ? pc[pc.length - 1]! : '',
      reference_date: gridDate(grid, last),
    });
  });
  return { grid, positions, diagnostics, spans, skipped };
}
