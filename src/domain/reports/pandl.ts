/**
 * Daily P&L report (digest §8 "P&L", default window 1 calendar day), from the total capital
 * history (digest §5.1 rows). Total % P&L = Σ over consecutive rows in the window of
 * (accumulated_pnl diff / maximum capital at the earlier row) × 100. The change in total capital
 * and in broker account value over the window are shown beside it, with the flows (deposits and
 * withdrawals) that explain part of the account value change. Per instrument: the futures P&L
 * from positions and fills (`instrument-pandl.ts`), the commissions of those fills, and the
 * residual = total − (futures − commissions) (other fees, interest, non-futures holdings, timing,
 * bugs). Not built: per strategy, per asset class.
 */
import type { CapitalRow } from '../capital/total-capital.ts';
import { isoMinute, type Report, reportText, section, table } from './format.ts';
import {
  type ContractFill,
  type ContractPricing,
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
): Report<PandlReportData> {
  const s = pandlSummary(history, now, windowMs);
  const instruments = instrumentPandl(fills, pricing, s.windowStart, s.windowEnd, s.maxCapital ?? 0);
  const d: PandlReportData = {
    ...s,
    instruments,
    residual: s.pandl === null ? null : s.pandl - (instruments.futuresTotal - instruments.commissions),
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
  return { name: 'daily_pandl_report', generatedAt: now, text, data: d };
}
