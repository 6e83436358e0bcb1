import { parseNaiveTimestamp } from '../../domain/prices/time.ts';

/** A bad row in a CSV file: names the file and the 1-based line. Nothing of that file is imported. */
export class CsvFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
  }
}

/**
 * Split a pysystemtrade price CSV into header and rows. Price files are comma separated with
 * no quoting (data doc §2), so a plain split is exact and ~10× faster than a general parser;
 * config files (which do quote) go through csv-parse instead. Handles `\r\n`, skips a final empty line.
 */
export function splitPriceCsv(
  text: string,
  file: string,
  expectedHeader: readonly string[],
): { rows: string[][]; firstLine: number } {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const headerLine = (lines[0] ?? '').replace(/\r$/, '');
  const header = headerLine.split(',');
  if (header.length !== expectedHeader.length || header.some((h, i) => h !== expectedHeader[i])) {
    throw new CsvFormatError(file, 1, `header must be '${expectedHeader.join(',')}', got '${headerLine}'`);
  }
  const rows: string[][] = new Array(lines.length - 1);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const cells = (line.endsWith('\r') ? line.slice(0, -1) : line).split(',');
    if (cells.length !== expectedHeader.length) {
      throw new CsvFormatError(file, i + 1, `expected ${expectedHeader.length} fields, got ${cells.length}`);
    }
    rows[i - 1] = cells;
  }
  return { rows, firstLine: 2 };
}

/** A float cell: empty is a missing value (NaN); anything else must be a finite number. */
export function parseFloatCell(cell: string, file: string, line: number, column: string): number {
  if (cell === '') return Number.NaN;
  const v = Number(cell);
  if (!Number.isFinite(v) || cell.trim() !== cell) {
    throw new CsvFormatError(file, line, `${column} is not a number: '${cell}'`);
  }
  return v;
}

export function parseStampCell(cell: string, file: string, line: number, column: string): number {
  const t = parseNaiveTimestamp(cell);
  if (t === undefined)
    throw new CsvFormatError(file, line, `${column} is not a YYYY-MM-DD HH:MM:SS timestamp: '${cell}'`);
  return t;
}

const CONTRACT = /^\d{8}$/;

export function parseContractCell(cell: string, file: string, line: number, column: string): string {
  if (!CONTRACT.test(cell))
    throw new CsvFormatError(file, line, `${column} is not a YYYYMMDD contract: '${cell}'`);
  return cell;
}

/** Timestamps must ascend strictly (data doc §2). */
export function checkAscending(prev: number | undefined, t: number, file: string, line: number): void {
  if (prev !== undefined && t <= prev) {
    throw new CsvFormatError(
      file,
      line,
      'timestamp is not after the previous row (rows must be in ascending order)',
    );
  }
}
