import Table from 'cli-table3';
import { snakeCase } from '../log/normalise.ts';

import { UsageError } from './errors.ts';

export { CliError, UsageError } from './errors.ts';

export type Row = Record<string, unknown>;

/** Columns whose numbers are epoch-millisecond times (shown as local times with the zone). */
const TIME_COLUMN = /(^|_)(time|timestamp|datetime|updated|created|started|ended|at|start|end|expires)$/i;

/** An epoch-ms time as the local time with its zone, e.g. `2023-09-01 13:30:00 BST`. */
export function localTime(ms: number): string {
  return new Date(ms).toLocaleString('sv-SE', { timeZoneName: 'short' });
}

/** Columns whose numbers are prices (shown at the instrument's tick precision when known). */
const PRICE_COLUMN = /(^|_)price$/;

/** Tick size of an instrument (undefined: not known, the price is shown as it is). */
export type TickSizes = (instrumentCode: string) => number | undefined;

/** Decimals of a tick size as written: 0.25 → 2, 0.005 → 3, 0.015625 → 6, 1 → 0. */
export function tickDecimals(tick: number): number {
  const [, frac = ''] = String(tick).split('.');
  return /e-/.test(String(tick)) ? Math.min(20, Math.ceil(-Math.log10(tick)) + 2) : frac.length;
}

/** A price at the tick precision of its instrument, e.g. 100.015 (SOFR, tick 0.005) or 4012.25. */
export function priceAtTick(price: number, tick: number | undefined): string {
  if (tick === undefined || !(tick > 0) || !Number.isFinite(price)) return String(price);
  return price.toFixed(tickDecimals(tick));
}

function scalar(v: unknown, column = '', tick?: number): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (TIME_COLUMN.test(snakeCase(column)) && v > 1e11 && v < 1e14) return localTime(v);
    if (tick !== undefined && PRICE_COLUMN.test(snakeCase(column))) return priceAtTick(v, tick);
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10)));
  }
  if (Array.isArray(v)) return v.map((x) => scalar(x)).join(', ');
  if (typeof v === 'object') {
    // no JSON in a cell: `key=value, ...`, one level at a time
    return Object.entries(v as Row)
      .map(
        ([k, x]) =>
          `${snakeCase(k)}=${x !== null && typeof x === 'object' ? `(${scalar(x, k)})` : scalar(x, k)}`,
      )
      .join(', ');
  }
  return String(v);
}

/** The tick size for a row's prices: its `instrument_code` (or `instrumentCode`) looked up. */
function rowTick(r: Row, ticks: TickSizes | undefined): number | undefined {
  const code = r.instrument_code ?? r.instrumentCode;
  return ticks && typeof code === 'string' ? ticks(code) : undefined;
}

/** Render rows as a table with the given columns (default: keys of the first row); snake_case headers. */
export function renderTable(rows: Row[], columns?: string[], ticks?: TickSizes): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const table = new Table({ head: cols.map(snakeCase), style: { head: [], border: [] } });
  for (const r of rows) {
    const tick = rowTick(r, ticks);
    table.push(cols.map((c) => scalar(r[c], c, tick)));
  }
  return table.toString();
}

export interface PrintOptions {
  json?: boolean;
  columns?: string[];
  /** Prices (columns named `price`, `*_price`) at the tick precision of the row's instrument. */
  ticks?: TickSizes;
}

/** Print data as JSON (with --json) or as a table / plain text for people. */
export function printResult(data: unknown, opts: PrintOptions = {}): void {
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  if (Array.isArray(data)) {
    if (data.length === 0) {
      process.stdout.write('(none)\n');
      return;
    }
    process.stdout.write(`${renderTable(data as Row[], opts.columns, opts.ticks)}\n`);
    return;
  }
  if (data !== null && typeof data === 'object') {
    const tick = rowTick(data as Row, opts.ticks);
    const rows = Object.entries(data as Row).map(([key, value]) => ({
      key: snakeCase(key),
      value: scalar(value, key, tick),
    }));
    process.stdout.write(`${renderTable(rows, ['key', 'value'])}\n`);
    return;
  }
  process.stdout.write(`${String(data)}\n`);
}

/** Parse a strictly positive integer option, or throw a UsageError naming the flag. */
export function parsePositiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`${flag} must be a positive integer, got '${value}'`);
  return n;
}
