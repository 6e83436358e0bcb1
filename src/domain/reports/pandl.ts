/**
 * Daily P&L report (digest §8 "P&L", default window 1 calendar day), from the total capital
 * history (digest §5.1 rows). Total % P&L = Σ over consecutive rows in the window of
 * (accumulated_pnl diff / maximum capital at the earlier row) × 100. The change in total capital
 * and in broker account value over the window are shown beside it, with the flows (deposits and
 * withdrawals) that explain part of the account value change. Per instrument: the futures P&L
 * from positions and fills (`instrument-pandl.ts`), the commissions of those fills, and the
 * residual = total − (futures − commissions) (other fees, interest, non-futures holdings, timing,
 * bugs). Per strategy (% of total capital): the same calculation over the fills of each
 * strategy, with a residual row = total − Σ strategies. Per asset class: the sum of its
 * instruments. Commissions the fills carry are also listed per currency. Plots: the equity curve
 * (accumulated P&L of every capital row) and its drawdown, and the P&L by instrument, strategy
 * and asset class.
 */
import type { CapitalRow } from '../capital/total-capital.ts';
import { type ChartSpec, cents, isoMinute, type Report, reportText, section, table } from './format.ts';
import {
  type ContractFill,
  type ContractPricing,
  groupedPandl,
  type InstrumentPandlResult,
  instrumentPandl,
} from './instrument-pandl.ts';

export const DAY_MS = 86_400_000;

export interface PandlData {
  windowStart: number;
  windowEnd: number;
  rows: number;
  startTotalCapital: number | null;
  endTotalCapital: number | null;
  totalCapitalChange: number | null;
  startAccountValue: number | null;
  endAccountValue: number | null;
  accountValueChange: number | null;
  flows: number;
  pandl: number | null;
  pandlPercent: number | null;
  /** Maximum capital at the window end (the denominator of the per-instrument %). */
  maxCapital: number | null;
}

export interface PandlReportData extends PandlData {
  instruments: InstrumentPandlResult;
  /** Total P&L − (futures P&L − commissions). */
  residual: number | null;
  /** Per strategy, % of total capital at the window end; `(residual)` = total − Σ strategies. */
  strategies: Array<{ strategyName: string; pandl: number; pandlPercent: number | null }>;
  assetClasses: Array<{ assetClass: string; pandl: number; pandlPercent: number }>;
  commissions: Array<{ currency: string; commission: number; fills: number }>;
}

/** What the P&L report reads besides capital, fills and prices. */
export interface PandlExtras {
  assetClassOf?: (instrumentCode: string) => string | undefined;
  /** Commissions of the fills in the window (fills without one are not counted). */
  commissions?: Array<{ time: number; commission?: number; commissionCurrency?: string }>;
}

/** Equity curve (accumulated P&L, rebased to 0 at the first row) and drawdown from its running peak. */
export function equityCurve(history: CapitalRow[]): {
  times: number[];
  equity: number[];
  drawdown: number[];
} {
  const rows = [...history].sort((a, b) => a.timestamp - b.timestamp);
  const base = rows[0]?.accumulated_pnl ?? 0;
  let peak = Number.NEGATIVE_INFINITY;
  const equity = rows.map((r) => cents(r.accumulated_pnl - base));
  const drawdown = equity.map((e) => {
    peak = Math.max(peak, e);
    return cents(e - peak);
  });
  return { times: rows.map((r) => r.timestamp), equity, drawdown };
}

export function equityCharts(history: CapitalRow[]): ChartSpec[] {
  const c = equityCurve(history);
  const labels = c.times.map((t) => isoMinute(t));
  return [
    {
      id: 'equity',
      title: 'Equity curve (accumulated P&L)',
      kind: 'line',
      labels,
      series: [{ name: 'equity', values: c.equity }],
    },
    {
      id: 'drawdown',
      title: 'Drawdown',
      kind: 'line',
      labels,
      series: [{ name: 'drawdown', values: c.drawdown }],
    },
  ];
}

/** The P&L over `(end − windowMs, end]`; the baseline is the last row at or before the window start. */
export function pandlSummary(history: CapitalRow[], end: number, windowMs = DAY_MS): PandlData {
  const start = end - windowMs;
  const sorted = [...history].sort((a, b) => a.timestamp - b.timestamp);
  const before = sorted.filter((r) => r.timestamp <= start);
  const inside = sorted.filter((r) => r.timestamp > start && r.timestamp <= end);
  const base = before.at(-1);
  const series = base ? [base, ...inside] : inside;
  const first = series[0];
  const last = series.at(-1);
  let pct = 0;
  for (let i = 1; i < series.length; i++) {
    const prev = series[i - 1]!;
    const cur = series[i]!;
    if (prev.max_capital > 0) pct += ((cur.accumulated_pnl - prev.accumulated_pnl) / prev.max_capital) * 100;
  }
  const diff = (f: (r: CapitalRow) => number) => (first && last ? f(last) - f(first) : null);
  return {
    windowStart: start,
    windowEnd: end,
    rows: inside.length,
    startTotalCapital: first?.total_capital ?? null,
    endTotalCapital: last?.total_capital ?? null,
    totalCapitalChange: diff((r) => r.total_capital),
    startAccountValue: first?.broker_account_value ?? null,
    endAccountValue: last?.broker_account_value ?? null,
    accountValueChange: diff((r) => r.broker_account_value),
    flows: inside.reduce((s, r) => s + (r.delta ?? 0), 0),
    pandl: diff((r) => r.accumulated_pnl),
    pandlPercent: series.length > 1 ? pct : null,
    maxCapital: last?.max_capital ?? null,
  };
}

const v = (n: number | null) => (n === null ? 'n/a' : n);

const NO_PRICING: ContractPricing = {
  priceAt: () => undefined,
  pointSize: () => undefined,
  fxAt: () => undefined,
};

export function pandlReport(
  history: CapitalRow[],
  now: number,
  windowMs = DAY_MS,
  fills: ContractFill[] = [],
  pricing: ContractPricing = NO_PRICING,
  extras: PandlExtras = {},
): Report<PandlReportData> {
  const s = pandlSummary(history, now, windowMs);
  const instruments = instrumentPandl(fills, pricing, s.windowStart, s.windowEnd, s.maxCapital ?? 0);
  const totalCap = s.endTotalCapital ?? 0;
  const strategyFills = fills.filter((f) => f.strategyName !== undefined);
  const byStrategy = groupedPandl(
    strategyFills,
    pricing,
    s.windowStart,
    s.windowEnd,
    (f) => f.strategyName!,
  ).byGroup;
  const strategies = [...byStrategy]
    .filter(([, p]) => p !== 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([strategyName, pandl]) => ({
      strategyName,
      pandl,
      pandlPercent: totalCap > 0 ? (pandl / totalCap) * 100 : null,
    }));
  if (s.pandl !== null) {
    const rest = s.pandl - strategies.reduce((t, r) => t + r.pandl, 0);
    strategies.push({
      strategyName: '(residual)',
      pandl: rest,
      pandlPercent: totalCap > 0 ? (rest / totalCap) * 100 : null,
    });
  }
  const classes = new Map<string, number>();
  for (const r of instruments.rows) {
    const c = extras.assetClassOf?.(r.instrumentCode) ?? '(unknown)';
    classes.set(c, (classes.get(c) ?? 0) + r.pandl);
  }
  const commissions = new Map<string, { currency: string; commission: number; fills: number }>();
  for (const f of extras.commissions ?? []) {
    if (f.commission === undefined || f.time <= s.windowStart || f.time > s.windowEnd) continue;
    const ccy = f.commissionCurrency ?? '?';
    const c = commissions.get(ccy) ?? { currency: ccy, commission: 0, fills: 0 };
    c.commission += f.commission;
    c.fills++;
    commissions.set(ccy, c);
  }
  const d: PandlReportData = {
    ...s,
    instruments,
    residual: s.pandl === null ? null : s.pandl - (instruments.futuresTotal - instruments.commissions),
    strategies,
    assetClasses: [...classes]
      .map(([assetClass, pandl]) => ({
        assetClass,
        pandl,
        pandlPercent: (s.maxCapital ?? 0) > 0 ? (pandl / s.maxCapital!) * 100 : 0,
      }))
      .sort((a, b) => a.pandlPercent - b.pandlPercent || a.assetClass.localeCompare(b.assetClass)),
    commissions: [...commissions.values()],
  };
  const text = reportText('Daily P&L report', now, [
    `Window: ${isoMinute(d.windowStart)} to ${isoMinute(d.windowEnd)} UTC (${d.rows} capital row(s) inside)\n`,
    section(
      'Total capital',
      table(
        ['measure', 'start', 'end', 'change'],
        [
          ['total capital', v(d.startTotalCapital), v(d.endTotalCapital), v(d.totalCapitalChange)],
          ['broker account value', v(d.startAccountValue), v(d.endAccountValue), v(d.accountValueChange)],
        ],
      ),
    ),
    section(
      'P&L',
      table(
        ['measure', 'value'],
        [
          ['P&L (accumulated_pnl change)', v(d.pandl)],
          ['P&L % of max capital', d.pandlPercent === null ? 'n/a' : d.pandlPercent.toFixed(3)],
          ['flows (deposits - withdrawals)', d.flows],
          ['futures P&L (instruments below)', d.instruments.futuresTotal],
          ['commissions (fills in the window)', d.instruments.commissions],
          ['residual (total - futures + commissions)', v(d.residual)],
        ],
      ),
    ),
    section(
      'P&L by instrument (% of max capital, ascending)',
      table(
        ['instrument', 'pandl', 'pandl_pct'],
        d.instruments.rows.map((r) => [r.instrumentCode, r.pandl, r.pandlPercent.toFixed(3)]),
      ),
    ),
    section(
      'P&L by strategy (% of total capital)',
      table(
        ['strategy', 'pandl', 'pandl_pct'],
        d.strategies.map((r) => [
          r.strategyName,
          r.pandl,
          r.pandlPercent === null ? 'n/a' : r.pandlPercent.toFixed(3),
        ]),
      ),
    ),
    section(
      'P&L by asset class (% of max capital)',
      table(
        ['asset_class', 'pandl', 'pandl_pct'],
        d.assetClasses.map((r) => [r.assetClass, r.pandl, r.pandlPercent.toFixed(3)]),
      ),
    ),
    section(
      'Commissions reported by the fills in the window, per currency',
      table(
        ['currency', 'commission', 'fills'],
        d.commissions.map((c) => [c.currency, c.commission, c.fills]),
      ),
    ),
    ...(d.instruments.unpriced.length > 0
      ? [
          section(
            'Contracts not valued',
            table(
              ['instrument', 'contract', 'missing'],
              d.instruments.unpriced.map((u) => [u.instrumentCode, u.contractDate, u.missing]),
            ),
          ),
        ]
      : []),
  ]);
  const bar = (id: string, title: string, rows: Array<{ label: string; pandl: number }>): ChartSpec => ({
    id,
    title,
    kind: 'bar',
    labels: rows.map((r) => r.label),
    series: [{ name: 'P&L', values: rows.map((r) => cents(r.pandl)) }],
  });
  const charts: ChartSpec[] = [
    ...equityCharts(history.filter((r) => r.timestamp <= now)),
    bar(
      'pandl-instrument',
      'P&L by instrument',
      d.instruments.rows.map((r) => ({ label: r.instrumentCode, pandl: r.pandl })),
    ),
    bar(
      'pandl-strategy',
      'P&L by strategy',
      d.strategies.map((r) => ({ label: r.strategyName, pandl: r.pandl })),
    ),
    bar(
      'pandl-asset-class',
      'P&L by asset class',
      d.assetClasses.map((r) => ({ label: r.assetClass, pandl: r.pandl })),
    ),
  ];
  return { name: 'daily_pandl_report', generatedAt: now, text, data: d, charts };
}
