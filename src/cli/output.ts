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

function scalar(v: unknown, column = ''): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (TIME_COLUMN.test(snakeCase(column)) && v > 1e11 && v < 1e14) return localTime(v);
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

/** Render rows as a table with the given columns (default: keys of the first row); snake_case headers. */
export function renderTable(rows: Row[], columns?: string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const table = new Table({ head: cols.map(snakeCase), style: { head: [], border: [] } });
  for (const r of rows) table.push(cols.map((c) => scalar(r[c], c)));
  return table.toString();
}

export interface PrintOptions {
  json?: boolean;
  columns?: string[];
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
    process.stdout.write(`${renderTable(data as Row[], opts.columns)}\n`);
    return;
  }
  if (data !== null && typeof data === 'object') {
    const rows = Object.entries(data as Row).map(([key, value]) => ({
      key: snakeCase(key),
      value: scalar(value, key),
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
