import { parseNaiveTimestampAt } from '../../domain/prices/time.ts';

/** A bad row in a CSV file: names the file and the 1-based line. Nothing of that file is imported. */
export class CsvFormatError extends Error {
  override readonly name = 'CsvFormatError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

/** An upper bound on the number of data rows (newlines), to size the columns before a scan. */
export function maxRows(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n + 1;
}

const DECIMAL_WITH_EXPONENT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * A plain decimal (`-12.345`: digits and at most one point) read from char codes, or undefined
 * for anything else (exponents, blanks, signs other than a leading minus, 2^53 or more in the
 * digits), which then goes through Number(). Exact: an integer below 2^53 divided by a power of
 * ten up to 10^22 is one correctly rounded IEEE division (Clinger's fast path), the very double
 * Number() gives for the same text.
 */
export function decimalAt(text: string, a: number, b: number): number | undefined {
  let i = a;
  const neg = text.charCodeAt(i) === 45;
  if (neg) i++;
  let mant = 0;
  let digitCount = 0;
  let frac = -1;
  for (; i < b; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      digitCount++;
      if (frac >= 0) frac++;
    } else if (c === 46 && frac < 0) frac = 0;
    else return undefined;
  }
  if (digitCount === 0 || mant > Number.MAX_SAFE_INTEGER || frac > 22) return undefined;
  const v = frac > 0 ? mant / (POW10[frac] as number) : mant;
  return neg ? -v : v;
}

/**
 * One data row of a price CSV, read in place: cells are offsets into the file's text, and numbers,
 * stamps and contract ids are parsed from char codes, so a row allocates nothing but the contract
 * ids that change. Every reader throws CsvFormatError naming `<file>:<line>` and the column.
 */
export class PriceCsvRow {
  line = 1;
  /** Cell i spans text[starts[i], ends[i]). */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  private readonly lastContract: string[];

  constructor(
    readonly text: string,
    readonly file: string,
    readonly columns: readonly string[],
  ) {
    this.starts = new Int32Array(columns.length);
    this.ends = new Int32Array(columns.length);
    this.lastContract = columns.map(() => '');
  }

  cell(i: number): string {
    return this.text.slice(this.starts[i], this.ends[i]);
  }

  fail(reason: string): never {
    throw new CsvFormatError(this.file, this.line, reason);
  }

  private failCell(i: number, what: string): never {
    return this.fail(`${this.columns[i] ?? `column ${i + 1}`} ${what}: '${this.cell(i)}'`);
  }

  /** A float cell: empty is a missing value (NaN); anything else must be a finite number. */
  float(i: number): number {
    const a = this.starts[i] as number;
    const b = this.ends[i] as number;
    if (a === b) return Number.NaN;
    const fast = decimalAt(this.text, a, b);
    if (fast !== undefined) return fast;
    const cell = this.text.slice(a, b);
    // Number() also reads blanks, hex, binary and octal; a price cell is a decimal or nothing
    if (!DECIMAL_WITH_EXPONENT.test(cell)) this.failCell(i, 'is not a number');
    const v = Number(cell);
    if (!Number.isFinite(v)) this.failCell(i, 'is not a number');
    return v;
  }

  /** A naive `YYYY-MM-DD HH:MM:SS` (or `YYYY-MM-DD`) stamp as UTC epoch ms. */
  stamp(i: number): number {
    const t = parseNaiveTimestampAt(this.text, this.starts[i] as number, this.ends[i] as number);
    if (t === undefined) this.failCell(i, 'is not a YYYY-MM-DD HH:MM:SS timestamp');
    return t;
  }

  /** A pysystemtrade contract id: exactly eight digits (YYYYMMDD); the previous row's string is reused. */
  contract(i: number): string {
    const a = this.starts[i] as number;
    const b = this.ends[i] as number;
    if (b - a !== 8) this.failCell(i, 'is not a YYYYMMDD contract');
    const last = this.lastContract[i] as string;
    if (last !== '' && this.text.startsWith(last, a)) return last;
    for (let k = a; k < b; k++) {
      const c = this.text.charCodeAt(k);
      if (c < 48 || c > 57) this.failCell(i, 'is not a YYYYMMDD contract');
    }
    const id = this.text.slice(a, b);
    this.lastContract[i] = id;
    return id;
  }

  /** Timestamps must ascend strictly (data doc §2). */
  ascending(prev: number | undefined, t: number): void {
    if (prev !== undefined && t <= prev)
      this.fail('timestamp is not after the previous row (rows must be in ascending order)');
  }
}

/**
 * Scan a pysystemtrade price CSV row by row: check the header, then call `onRow(row)` for each
 * data row (`row.line` is the 1-based line). Price files are comma separated with no quoting
 * (data doc §2), so cells are found by their commas, far faster than a general parser; config
 * files (which do quote) go through csv-parse instead. Handles `\r\n` and a missing final
 * newline; returns the number of rows.
 */
export function scanPriceCsv(
  text: string,
  file: string,
  expectedHeader: readonly string[],
  onRow: (row: PriceCsvRow) => void,
): number {
  let end = text.indexOf('\n');
  let headerLine = end < 0 ? text : text.slice(0, end);
  if (headerLine.endsWith('\r')) headerLine = headerLine.slice(0, -1);
  const header = headerLine.split(',');
  if (header.length !== expectedHeader.length || header.some((h, i) => h !== expectedHeader[i])) {
    throw new CsvFormatError(file, 1, `header must be '${expectedHeader.join(',')}', got '${headerLine}'`);
  }
  const row = new PriceCsvRow(text, file, expectedHeader);
  const width = expectedHeader.length;
  let rows = 0;
  while (end >= 0 && end + 1 < text.length) {
    const start = end + 1;
    end = text.indexOf('\n', start);
    row.line++;
    let stop = end < 0 ? text.length : end;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--; // \r\n
    let cells = 0;
    let cellStart = start;
    for (;;) {
      let comma = text.indexOf(',', cellStart);
      if (comma < 0 || comma > stop) comma = stop;
      if (cells < width) {
        row.starts[cells] = cellStart;
        row.ends[cells] = comma;
      }
      cells++;
      if (comma === stop) break;
      cellStart = comma + 1;
    }
    if (cells !== width) row.fail(`expected ${width} fields, got ${cells}`);
    onRow(row);
    rows++;
  }
  return rows;
}
