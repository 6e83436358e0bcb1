/**
 * Strategy report (digest §8 "Strategy", `report_system_classic.py`): from the latest classic
 * system run's diagnostics record of each strategy (run_systems keeps the last 256 rows of each
 * intermediate series): the vol target (base currency, % target, notional capital, annual and
 * daily cash vol target), the vol calculation and subsystem table per instrument (price, daily
 * returns vol, daily and annual % vol, instrument value vol, vol scalar, combined forecast,
 * subsystem position), the portfolio table (instrument weight, notional position), positions vs
 * buffers (lower, upper, current position) and the forecast weights, capped (unweighted) and
 * weighted forecasts. Plot:
 * the notional position against its buffer band over time, per instrument.
 */
import { type ChartSpec, type Report, reportText, section, table } from './format.ts';
import { ROOT_DAYS } from './market.ts';

/** The fields of a stored diagnostics record this report reads. */
export interface StrategyRunDiagnostics {
  strategy_name: string;
  created: string;
  capital: number;
  dates: string[];
  instruments: Record<string, Record<string, Array<number | null>>>;
}

export interface StrategyReportInput {
  diagnostics: StrategyRunDiagnostics[];
  baseCurrency: string;
  /** strategy → percentage vol target. */
  volTargets: Record<string, number>;
  /** `strategy/instrument` → current position. */
  positions: Map<string, number>;
}

export interface StrategyInstrumentRow {
  strategyName: string;
  instrumentCode: string;
  price?: number;
  dailyReturnsVol?: number;
  dailyPercVol?: number;
  annualPercVol?: number;
  instrumentValueVol?: number;
  volScalar?: number;
  combinedForecast?: number;
  subsystemPosition?: number;
  instrumentWeight?: number;
  notionalPosition?: number;
  lowerPosition?: number;
  upperPosition?: number;
  currentPosition: number;
  forecasts: Array<{ rule: string; weight?: number; capped?: number }>;
}

export interface StrategyData {
  strategies: Array<{
    strategyName: string;
    created: string;
    capital: number;
    percentageVolTarget?: number;
    annualCashVolTarget?: number;
    dailyCashVolTarget?: number;
  }>;
  instruments: StrategyInstrumentRow[];
}

const lastOf = (xs?: Array<number | null>): number | undefined => {
  if (!xs) return undefined;
  for (let i = xs.length - 1; i >= 0; i--) if (xs[i] !== null && xs[i] !== undefined) return xs[i]!;
  return undefined;
};

export function strategySummary(input: StrategyReportInput): StrategyData {
  const instruments: StrategyInstrumentRow[] = [];
  for (const d of input.diagnostics) {
    for (const [code, s] of Object.entries(d.instruments).sort(([a], [b]) => a.localeCompare(b))) {
      const pct = lastOf(s.daily_percentage_volatility);
      const rules = [
        ...new Set(
          Object.keys(s)
            .filter((k) => k.startsWith('forecast_weights.'))
            .map((k) => k.slice(17)),
        ),
      ];
      instruments.push({
        strategyName: d.strategy_name,
        instrumentCode: code,
        price: lastOf(s.daily_prices),
        dailyReturnsVol: lastOf(s.daily_returns_volatility),
        dailyPercVol: pct,
        annualPercVol: pct === undefined ? undefined : pct * ROOT_DAYS,
        instrumentValueVol: lastOf(s.instrument_value_vol),
        volScalar: lastOf(s.vol_scalar),
        combinedForecast: lastOf(s.combined_forecast),
        subsystemPosition: lastOf(s.subsystem_position),
        instrumentWeight: lastOf(s.instrument_weight),
        notionalPosition: lastOf(s.notional_position),
        lowerPosition: lastOf(s.lower_position),
        upperPosition: lastOf(s.upper_position),
        currentPosition: input.positions.get(`${d.strategy_name}/${code}`) ?? 0,
        forecasts: rules.sort().map((rule) => ({
          rule,
          weight: lastOf(s[`forecast_weights.${rule}`]),
          capped: lastOf(s[`capped_forecasts.${rule}`]),
        })),
      });
    }
  }
  return {
    strategies: input.diagnostics.map((d) => {
      const target = input.volTargets[d.strategy_name];
      const annual = target === undefined ? undefined : (d.capital * target) / 100;
      return {
        strategyName: d.strategy_name,
        created: d.created,
        capital: d.capital,
        percentageVolTarget: target,
        annualCashVolTarget: annual,
        dailyCashVolTarget: annual === undefined ? undefined : annual / ROOT_DAYS,
      };
    }),
    instruments,
  };
}

/** Notional position with its lower and upper buffer over the stored dates, per instrument. */
function bufferCharts(input: StrategyReportInput): ChartSpec[] {
  return input.diagnostics.flatMap((d) =>
    Object.entries(d.instruments).map(([code, s]) => ({
      id: `buffers-${d.strategy_name}-${code}`,
      title: `${d.strategy_name} ${code}: position against buffer band`,
      kind: 'line' as const,
      labels: d.dates,
      series: [
        { name: 'notional', values: s.notional_position ?? [] },
        { name: 'lower', values: s.lower_position ?? [] },
        { name: 'upper', values: s.upper_position ?? [] },
        {
          name: 'current',
          values: d.dates.map((_, i) =>
            i === d.dates.length - 1 ? (input.positions.get(`${d.strategy_name}/${code}`) ?? 0) : null,
          ),
        },
      ],
    })),
  );
}

export function strategyReport(input: StrategyReportInput, now: number): Report<StrategyData> {
  const d = strategySummary(input);
  const text = reportText('Strategy report', now, [
    'Risk scaling: positions are sized so each strategy runs at its vol target on its notional capital.\n',
    section(
      'Vol target',
      table(
        [
          'strategy',
          'run',
          'base_ccy',
          'percentage_vol_target',
          'notional_capital',
          'annual_cash_vol_target',
          'daily_cash_vol_target',
        ],
        d.strategies.map((s) => [
          s.strategyName,
          s.created,
          input.baseCurrency,
          s.percentageVolTarget,
          s.capital,
          s.annualCashVolTarget,
          s.dailyCashVolTarget,
        ]),
      ),
    ),
    section(
      'Vol calculation and subsystem',
      table(
        [
          'strategy',
          'instrument',
          'price',
          'daily_return_vol',
          'daily_pct_vol',
          'annual_pct_vol',
          'IVV',
          'vol_scalar',
          'combined_forecast',
          'subsystem_position',
        ],
        d.instruments.map((r) => [
          r.strategyName,
          r.instrumentCode,
          r.price,
          r.dailyReturnsVol,
          r.dailyPercVol,
          r.annualPercVol,
          r.instrumentValueVol,
          r.volScalar,
          r.combinedForecast,
          r.subsystemPosition,
        ]),
      ),
    ),
    section(
      'Portfolio and positions vs buffers',
      table(
        [
          'strategy',
          'instrument',
          'subsystem_position',
          'instrument_weight',
          'notional',
          'lower',
          'upper',
          'current',
          'outside',
        ],
        d.instruments.map((r) => [
          r.strategyName,
          r.instrumentCode,
          r.subsystemPosition,
          r.instrumentWeight,
          r.notionalPosition,
          r.lowerPosition,
          r.upperPosition,
          r.currentPosition,
          r.lowerPosition !== undefined &&
          r.upperPosition !== undefined &&
          (r.currentPosition < Math.round(r.lowerPosition) || r.currentPosition > Math.round(r.upperPosition))
            ? 'yes'
            : '',
        ]),
      ),
    ),
    section(
      'Forecasts (weight, unweighted = capped forecast, weighted = weight × capped)',
      table(
        ['strategy', 'instrument', 'rule', 'weight', 'capped_forecast', 'weighted_forecast'],
        d.instruments.flatMap((r) =>
          r.forecasts.map((f) => [
            r.strategyName,
            r.instrumentCode,
            f.rule,
            f.weight,
            f.capped,
            f.weight === undefined || f.capped === undefined ? undefined : f.weight * f.capped,
          ]),
        ),
      ),
    ),
  ]);
  return { name: 'strategy_report', generatedAt: now, text, data: d, charts: bufferCharts(input) };
}
