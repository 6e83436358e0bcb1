/**
 * Plain-text report layout (digest §8: each report is tables of text, for email, console or
 * file). Fixed-width columns: numbers right-aligned, text left-aligned.
 */
export type Cell = string | number | undefined;

/**
 * A plot of a report (drawn in its HTML file). `line`: one x label per point, one line per
 * series; `bar`: one bar per label per series; `heatmap`: a square matrix, `labels` on both axes,
 * one series per row (values in [-1, 1]).
 */
export interface ChartSpec {
  id: string;
  title: string;
  kind: 'line' | 'bar' | 'heatmap';
  labels: Array<string | number>;
  series: Array<{ name: string; values: Array<number | null> }>;
}

/** A finished report: its text and the same figures as data (for `--json`), and its plots. */
export interface Report<D = unknown> {
  name: string;
  generatedAt: number;
  text: string;
  data: D;
  charts?: ChartSpec[];
}

/** Round to cents (for figures in base currency). */
export const cents = (x: number): number => Math.round(x * 100) / 100;

/** Dates `YYYY-MM-DD` (UTC) of epoch-ms times, for chart labels. */
export const dayLabel = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Histogram of values in `bins` equal bins: labels are the bin centres. */
export function histogram(values: number[], bins = 10): { labels: number[]; counts: number[] } {
  if (values.length === 0) return { labels: [], counts: [] };
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const width = hi > lo ? (hi - lo) / bins : 1;
  const n = hi > lo ? bins : 1;
  const counts = new Array<number>(n).fill(0);
  for (const v of values) counts[Math.min(n - 1, Math.floor((v - lo) / width))]!++;
  return { labels: counts.map((_, i) => Number((lo + (i + 0.5) * width).toPrecision(6))), counts };
}

const cellText = (c: Cell): string =>
  c === undefined ? '' : typeof c === 'number' ? (Number.isInteger(c) ? String(c) : c.toFixed(2)) : c;

export function table(headers: string[], rows: Cell[][]): string {
  if (rows.length === 0) return '(none)';
  const texts = rows.map((r) => headers.map((_, i) => cellText(r[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...texts.map((r) => r[i]!.length)));
  const numeric = headers.map((_, i) => rows.every((r) => r[i] === undefined || typeof r[i] === 'number'));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...texts.map(line)].join('\n');
}

export function section(title: string, body: string): string {
  return `${title}\n${'='.repeat(title.length)}\n${body}\n`;
}

const p2 = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD HH:MM` UTC. */
export function isoMinute(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}`;
}

/** `YYYYMMDD-HHMM` UTC, for report file names. */
export function fileStamp(ms: number): string {
  return isoMinute(ms).replace(/-/g, '').replace(' ', '-').replace(':', '');
}

/** The report header and its sections. */
export function reportText(title: string, now: number, sections: string[]): string {
  return [`${title} — generated ${isoMinute(now)} UTC`, '', ...sections].join('\n');
}

/** A table column: its header and how a row fills it. */
export type Column<T> = readonly [header: string, cell: (row: T) => Cell];

/** A table whose columns are described once and shared by every report that shows them. */
export function columnsTable<T>(columns: ReadonlyArray<Column<T>>, rows: readonly T[]): string {
  return table(
    columns.map(([h]) => h),
    rows.map((r) => columns.map(([, cell]) => cell(r))),
  );
}
