import Table from 'cli-table3';

import { UsageError } from './errors.ts';

export { CliError, UsageError } from './errors.ts';

export type Row = Record<string, unknown>;

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(10)));
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Render rows as a table with the given columns (default: keys of the first row). */
export function renderTable(rows: Row[], columns?: string[]): string {
  const cols = columns ?? Object.keys(rows[0] ?? {});
  const table = new Table({ head: cols, style: { head: [], border: [] } });
  for (const r of rows) table.push(cols.map((c) => cell(r[c])));
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
    const rows = Object.entries(data as Row).map(([key, value]) => ({ key, value }));
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
