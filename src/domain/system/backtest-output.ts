/**
 * The reference's output choices for a backtest object (production doc "Interactive diagnostics
 * > Backtest objects > Output choice") besides print: plot, drawn in the terminal as a line chart
 * (asciichart; the reference opens a matplotlib window, which a terminal on a server cannot),
 * HTML (a page with the plot and every row) and CSV. Pure: the caller writes the files.
 */
import { plot } from 'asciichart';
import { pythonRepr } from '../prices/python-repr.ts';
import type { ChartSpec, Report } from '../reports/format.ts';

/** One method's output: dates and the series it reads (null: no value that day). */
export interface BacktestSelection {
  /** e.g. `carry_trend GOLD portfolio.get_notional_position` */
  title: string;
  dates: string[];
  columns: Array<{ name: string; values: Array<number | null> }>;
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);
const cell = (v: number | null | undefined): string => (finite(v) ? pythonRepr(v) : '');

/** Every row as CSV: `date,<series>...`, an empty cell where there is no value. */
export function backtestCsv(s: BacktestSelection): string {
  const head = ['date', ...s.columns.map((c) => c.name)].join(',');
  const rows = s.dates.map((d, i) => [d, ...s.columns.map((c) => cell(c.values[i]))].join(','));
  return `${[head, ...rows].join('\n')}\n`;
}

/** The selection as a report page (src/domain/reports/html.ts): a line plot above every row. */
export function backtestReport(s: BacktestSelection, generatedAt: number): Report<BacktestSelection> {
  const widths = s.columns.map((c) => Math.max(c.name.length, ...c.values.map((v) => cell(v).length)));
  const line = (date: string, cells: string[]) =>
    [date.padEnd(10), ...cells.map((x, k) => x.padStart(widths[k]!))].join('  ');
  const text = [
    s.title,
    '',
    line(
      'date',
      s.columns.map((c) => c.name),
    ),
    ...s.dates.map((d, i) =>
      line(
        d,
        s.columns.map((c) => cell(c.values[i])),
      ),
    ),
  ].join('\n');
  const chart: ChartSpec = {
    id: 'series',
    title: s.title,
    kind: 'line',
    labels: s.dates,
    series: s.columns.map((c) => ({ name: c.name, values: c.values.map((v) => (finite(v) ? v : null)) })),
  };
  return { name: 'backtest_objects', generatedAt, text, data: s, charts: [chart] };
}

export interface PlotOptions {
  /** Terminal columns for the whole chart, labels included. */
  width: number;
  /** Chart rows. */
  height: number;
  /** ANSI colours, one per series (none: plain). */
  colors?: string[];
}

/** Decimals that tell the labels of a range apart. */
function decimals(lo: number, hi: number): number {
  const span = Math.abs(hi - lo) || Math.abs(hi) || 1;
  return Math.max(0, Math.min(6, 2 - Math.floor(Math.log10(span))));
}

/**
 * A line chart of the selection in the terminal: from the first date every series has a value
 * (earlier rows are warm-up), later gaps carrying the last value; longer than the width, each
 * column shows the last value of its span of days. Below: the first and last dates and the
 * legend with each series' last value.
 */
export function backtestPlot(s: BacktestSelection, o: PlotOptions): string {
  const start = s.dates.findIndex((_, i) => s.columns.every((c) => finite(c.values[i])));
  if (start < 0) return `${s.title}: no date where every series has a value; nothing to plot`;
  const filled = s.columns.map((c) => {
    let last = c.values[start] as number;
    return c.values.slice(start).map((v) => (finite(v) ? (last = v) : last));
  });
  const dates = s.dates.slice(start);
  const lo = Math.min(...filled.flat());
  const hi = Math.max(...filled.flat());
  const dp = decimals(lo, hi);
  const labelWidth = Math.max(lo.toFixed(dp).length, hi.toFixed(dp).length) + 1;
  const columns = Math.max(10, o.width - labelWidth - 2);
  const n = dates.length;
  // Column k shows the last day of its span.
  const picks =
    n <= columns
      ? dates.map((_, i) => i)
      : Array.from({ length: columns }, (_, k) => Math.floor(((k + 1) * n) / columns) - 1);
  const chart = plot(
    filled.map((v) => picks.map((i) => v[i]!)),
    {
      height: o.height,
      format: (x: number) => x.toFixed(dp).padStart(labelWidth),
      ...(o.colors ? { colors: o.colors } : {}),
    },
  );
  const span = picks.length < n ? `, each column ≈ ${(n / picks.length).toFixed(1)} days (last value)` : '';
  const axis = `${' '.repeat(labelWidth + 1)}${dates[0]!}${dates[n - 1]!.padStart(Math.max(11, picks.length - 10))}`;
  const legend = s.columns.map((c, k) => {
    const mark = o.colors ? `${o.colors[k % o.colors.length]!}──\x1b[0m` : '──';
    return `${mark} ${c.name}: last ${filled[k]![n - 1]!.toFixed(Math.max(dp, 2))}`;
  });
  const skipped = start > 0 ? ` (${start} earlier rows without a value)` : '';
  return [s.title, `${dates[0]} to ${dates[n - 1]}, ${n} rows${skipped}${span}`, chart, axis, ...legend].join(
    '\n',
  );
}
