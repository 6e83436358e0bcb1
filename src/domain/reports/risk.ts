/**
 * Risk report (digest §8 "Risk", `reporting/data/risk.py`): the instrument risk table per held
 * instrument, total portfolio risk √(wᵀΣw) annualised % with w = exposure × position / capital
 * and Σ from the annual % stdevs and the correlation of daily returns, risk per strategy (against
 * its own capital), risk by asset class, Σ|risk|, net risk, the correlation matrix, and margin
 * usage = margin / total capital (the margin the broker reported at the last capital update), and
 * the beta loadings (`beta.ts`).
 */
import { type BetaData, betaLoadings } from './beta.ts';
import {
  type ChartSpec,
  type Column,
  columnsTable,
  type Report,
  reportText,
  section,
  table,
} from './format.ts';
import { correlation, type InstrumentMarket, type InstrumentRiskFigures, riskFigures } from './market.ts';

export interface RiskInput {
  markets: InstrumentMarket[];
  /** Strategy positions (summed across strategies for the instrument table). */
  strategyPositions: Array<{ strategyName: string; instrumentCode: string; position: number }>;
  totalCapital?: number;
  strategyCapital: Record<string, number>;
  /** Margin used, base currency; undefined when the broker does not report it. */
  margin?: number;
  /** Clock time (for the last year of returns the betas use); default: the last price's time. */
  now?: number;
}

export interface InstrumentRiskRow extends InstrumentRiskFigures {
  instrumentCode: string;
  assetClass?: string;
  price?: number;
  position: number;
  capital?: number;
  exposureHeldPercCapital?: number;
  annualRiskPercCapital?: number;
}

export interface RiskData {
  instruments: InstrumentRiskRow[];
  portfolioRisk?: number;
  sumAbsRisk: number;
  netRisk: number;
  byStrategy: Array<{ strategyName: string; capital?: number; risk?: number }>;
  byAssetClass: Array<{ assetClass: string; risk?: number }>;
  correlation: { labels: string[]; matrix: Array<Array<number | null>> };
  marginUsage?: number;
  margin?: number;
  beta: BetaData;
}

/** The instrument risk table's columns (risk report: held instruments; instrument risk report: all). */
export const INSTRUMENT_RISK_COLUMNS: ReadonlyArray<
  Column<InstrumentRiskFigures & { instrumentCode: string; price?: number }>
> = [
  ['instrument', (r) => r.instrumentCode],
  ['daily_price_stdev', (r) => r.dailyPriceStdev],
  ['annual_price_stdev', (r) => r.annualPriceStdev],
  ['price', (r) => r.price],
  ['daily_perc_stdev', (r) => r.dailyPercStdev],
  ['annual_perc_stdev', (r) => r.annualPercStdev],
  ['point_size_base', (r) => r.pointSizeBase],
  ['contract_exposure', (r) => r.contractExposure],
  ['daily_risk_per_contract', (r) => r.dailyRiskPerContract],
  ['annual_risk_per_contract', (r) => r.annualRiskPerContract],
];

const HELD_COLUMNS: ReadonlyArray<Column<InstrumentRiskRow>> = [
  ...INSTRUMENT_RISK_COLUMNS,
  ['position', (r) => r.position],
  ['capital', (r) => r.capital],
  ['exposure_held_perc_capital', (r) => r.exposureHeldPercCapital],
  ['annual_risk_perc_capital', (r) => r.annualRiskPercCapital],
];

/** √(wᵀΣw) × 100 with w = exposure weights and σ the annual % stdevs / 100; undefined if unknown. */
function portfolioRisk(
  rows: Array<{ code: string; weight: number; sigma?: number }>,
  corr: (a: string, b: string) => number,
): number | undefined {
  const live = rows.filter((r) => r.weight !== 0);
  if (live.length === 0) return 0;
  if (live.some((r) => r.sigma === undefined)) return undefined;
  let v = 0;
  for (const a of live)
    for (const b of live) {
      const c = a.code === b.code ? 1 : corr(a.code, b.code);
      v += a.weight * b.weight * (a.sigma! / 100) * (b.sigma! / 100) * (Number.isNaN(c) ? 0 : c);
    }
  return Math.sqrt(Math.max(v, 0)) * 100;
}

export function riskSummary(input: RiskInput): RiskData {
  const market = new Map(input.markets.map((m) => [m.instrumentCode, m]));
  const position = new Map<string, number>();
  for (const p of input.strategyPositions)
    position.set(p.instrumentCode, (position.get(p.instrumentCode) ?? 0) + p.position);
  const cap = input.totalCapital;
  const instruments: InstrumentRiskRow[] = [...position]
    .filter(([, pos]) => pos !== 0)
    .map(([code, pos]) => {
      const m = market.get(code) ?? { instrumentCode: code, prices: [], volumes: [] };
      const f = riskFigures(m);
      const perc = (x?: number) => (x === undefined || !cap ? undefined : (100 * x * pos) / cap);
      return {
        instrumentCode: code,
        assetClass: m.assetClass,
        price: m.price,
        ...f,
        position: pos,
        capital: cap,
        exposureHeldPercCapital: perc(f.contractExposure),
        annualRiskPercCapital: perc(f.annualRiskPerContract),
      };
    })
    .sort((a, b) => a.instrumentCode.localeCompare(b.instrumentCode));
  const labels = input.markets.map((m) => m.instrumentCode).sort();
  const corrCache = new Map<string, number>();
  const corr = (a: string, b: string) => {
    const k = a < b ? `${a}|${b}` : `${b}|${a}`;
    if (!corrCache.has(k)) corrCache.set(k, correlation(market.get(a)!.prices, market.get(b)!.prices));
    return corrCache.get(k)!;
  };
  const weightsFor = (positions: Map<string, number>, capital?: number) =>
    [...positions].map(([code, pos]) => {
      const f = riskFigures(market.get(code) ?? { instrumentCode: code, prices: [], volumes: [] });
      return {
        code,
        weight: capital && f.contractExposure !== undefined ? (pos * f.contractExposure) / capital : 0,
        sigma: f.annualPercStdev,
      };
    });
  const known = (c: string) => market.has(c);
  const byStrategy = [...new Set(input.strategyPositions.map((p) => p.strategyName))].sort().map((s) => {
    const pos = new Map(
      input.strategyPositions
        .filter((p) => p.strategyName === s && known(p.instrumentCode))
        .map((p) => [p.instrumentCode, p.position]),
    );
    const capital = input.strategyCapital[s];
    return {
      strategyName: s,
      capital,
      risk: capital ? portfolioRisk(weightsFor(pos, capital), corr) : undefined,
    };
  });
  const held = new Map(
    instruments.filter((r) => known(r.instrumentCode)).map((r) => [r.instrumentCode, r.position]),
  );
  const classes = [...new Set(instruments.map((r) => r.assetClass ?? '(unknown)'))].sort();
  const byAssetClass = classes.map((assetClass) => ({
    assetClass,
    risk: portfolioRisk(
      weightsFor(held, cap).filter((w) => (market.get(w.code)?.assetClass ?? '(unknown)') === assetClass),
      corr,
    ),
  }));
  const risks = instruments.map((r) => r.annualRiskPercCapital ?? 0);
  const heldWeights = weightsFor(held, cap);
  const beta = betaLoadings(
    heldWeights.map((w) => ({
      instrumentCode: w.code,
      assetClass: market.get(w.code)?.assetClass ?? '(unknown)',
      prices: market.get(w.code)!.prices,
      weight: w.weight,
    })),
    input.now ?? Math.max(0, ...input.markets.map((m) => m.prices.at(-1)?.[0] ?? 0)),
  );
  return {
    instruments,
    portfolioRisk: cap ? portfolioRisk(weightsFor(held, cap), corr) : undefined,
    sumAbsRisk: risks.reduce((s, x) => s + Math.abs(x), 0),
    netRisk: risks.reduce((s, x) => s + x, 0),
    byStrategy,
    byAssetClass,
    correlation: {
      labels,
      matrix: labels.map((a) =>
        labels.map((b) => {
          const c = a === b ? 1 : corr(a, b);
          return Number.isNaN(c) ? null : Number(c.toFixed(3));
        }),
      ),
    },
    margin: input.margin,
    marginUsage: input.margin !== undefined && cap ? input.margin / cap : undefined,
    beta,
  };
}

const pct = (x?: number) => (x === undefined ? 'n/a' : `${x.toFixed(2)}%`);
const r2 = (x?: number) => (x === undefined ? 'n/a' : x.toFixed(2));

export function riskReport(input: RiskInput, now: number): Report<RiskData> {
  const d = riskSummary(input);
  const charts: ChartSpec[] = [
    {
      id: 'correlation',
      title: 'Correlation of daily returns',
      kind: 'heatmap',
      labels: d.correlation.labels,
      series: d.correlation.labels.map((name, i) => ({ name, values: d.correlation.matrix[i]! })),
    },
    {
      id: 'instrument-risk',
      title: 'Annual risk, % of capital, per instrument',
      kind: 'bar',
      labels: d.instruments.map((r) => r.instrumentCode),
      series: [{ name: 'annual risk %', values: d.instruments.map((r) => r.annualRiskPercCapital ?? null) }],
    },
  ];
  const text = reportText('Risk report', now, [
    section(
      'Portfolio',
      table(
        ['measure', 'value'],
        [
          ['total portfolio risk (annual % of capital)', pct(d.portfolioRisk)],
          ['sum of |instrument risk| %', d.sumAbsRisk.toFixed(2)],
          ['net instrument risk %', d.netRisk.toFixed(2)],
          ['margin', d.margin ?? 'not reported by the broker'],
          [
            'percentage of capital used for margin',
            d.marginUsage === undefined ? 'n/a' : pct(d.marginUsage * 100),
          ],
        ],
      ),
    ),
    section(
      'Risk per strategy (against its own capital)',
      table(
        ['strategy', 'capital', 'risk'],
        d.byStrategy.map((s) => [s.strategyName, s.capital, pct(s.risk)]),
      ),
    ),
    section(
      'Risk by asset class',
      table(
        ['asset_class', 'risk'],
        d.byAssetClass.map((a) => [a.assetClass, pct(a.risk)]),
      ),
    ),
    section(
      'Beta loadings of asset class positions on asset class',
      table(
        ['asset_class', 'loading'],
        [...d.beta.byAssetClass]
          .sort((a, b) => a.loading - b.loading)
          .map((b) => [b.assetClass, r2(b.loading)]),
      ),
    ),
    section(
      'Beta loadings of full portfolio positions on asset class',
      table(
        ['asset_class', 'loading'],
        [...d.beta.portfolio].sort((a, b) => a.loading - b.loading).map((b) => [b.assetClass, r2(b.loading)]),
      ),
    ),
    section(
      'Beta per instrument (on its asset class, last year of daily returns)',
      table(
        ['instrument', 'asset_class', 'beta', 'loading'],
        d.beta.instruments.map((b) => [b.instrumentCode, b.assetClass, r2(b.beta), r2(b.loading)]),
      ),
    ),
    section('Instrument risk', columnsTable(HELD_COLUMNS, d.instruments)),
    section(
      'Correlation of daily returns (last 250 common days)',
      table(
        ['', ...d.correlation.labels],
        d.correlation.labels.map((l, i) => [
          l,
          ...d.correlation.matrix[i]!.map((c) => (c === null ? 'n/a' : c.toFixed(2))),
        ]),
      ),
    ),
  ]);
  return { name: 'risk_report', generatedAt: now, text, data: d, charts };
}
