/**
 * Account curve report (digest §8 "Others"): the equity curve of the whole capital history
 * (accumulated P&L, rebased to 0 at the first row) and its drawdown, drawn as text with
 * asciichart (last 60 rows) and as plots in the HTML file; total P&L, maximum and current
 * drawdown.
 */
import { plot } from 'asciichart';
import type { CapitalRow } from '../capital/total-capital.ts';
import { isoMinute, type Report, reportText, section, table } from './format.ts';
import { equityCharts, equityCurve } from './pandl.ts';

export interface AccountCurveData {
  rows: number;
  first?: number;
  last?: number;
  totalPandl: number;
  maxDrawdown: number;
  currentDrawdown: number;
  equity: number[];
  drawdown: number[];
  times: number[];
}

export function accountCurveReport(history: CapitalRow[], now: number): Report<AccountCurveData> {
  const c = equityCurve(history.filter((r) => r.timestamp <= now));
  const d: AccountCurveData = {
    rows: c.times.length,
    first: c.times[0],
    last: c.times.at(-1),
    totalPandl: c.equity.at(-1) ?? 0,
    maxDrawdown: Math.min(0, ...c.drawdown),
    currentDrawdown: c.drawdown.at(-1) ?? 0,
    ...c,
  };
  const tail = c.equity.slice(-60);
  const text = reportText('Account curve report', now, [
    section(
      'Summary',
      table(
        ['measure', 'value'],
        [
          ['capital rows', d.rows],
          ['from', d.first === undefined ? 'n/a' : isoMinute(d.first)],
          ['to', d.last === undefined ? 'n/a' : isoMinute(d.last)],
          ['total P&L', d.totalPandl],
          ['maximum drawdown', d.maxDrawdown],
          ['current drawdown', d.currentDrawdown],
        ],
      ),
    ),
    section(
      'Equity curve (last 60 capital rows)',
      tail.length > 1
        ? plot(tail, { height: 10, format: (x) => x.toFixed(0).padStart(12) })
        : '(too few rows)',
    ),
  ]);
  return {
    name: 'account_curve_report',
    generatedAt: now,
    text,
    data: d,
    charts: equityCharts(history.filter((r) => r.timestamp <= now)),
  };
}
