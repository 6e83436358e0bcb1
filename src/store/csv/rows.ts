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

/** An upper bound on the number of data rows (newlines), to size the columns before a scan. */
export function maxRows(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n + 1;
}

/**
 * Scan a pysystemtrade price CSV row by row: check the header, then call `onRow(cells, line)`
 * for each data row (line is 1-based). Price files are comma separated with no quoting (data
 * doc §2), so a plain split is exact and ~10× faster than a general parser; config files (which
 * do quote) go through csv-parse instead. Handles `\r\n` and a missing final newline; returns
 * the number of rows.
 */
export function scanPriceCsv(
  text: string,
  file: string,
  expectedHeader: readonly string[],
  onRow: (cells: string[], line: number) => void,
): number {
  const clean = (l: string): string => (l.endsWith('\r') ? l.slice(0, -1) : l);
  let end = text.indexOf('\n');
  const headerLine = clean(end < 0 ? text : text.slice(0, end));
  const header = headerLine.split(',');
  if (header.length !== expectedHeader.length || header.some((h, i) => h !== expectedHeader[i])) {
    throw new CsvFormatError(file, 1, `header must be '${expectedHeader.join(',')}', got '${headerLine}'`);
  }
  let rows = 0;
  let line = 1;
  while (end >= 0 && end + 1 < text.length) {
    const start = end + 1;
    end = text.indexOf('\n', start);
    line++;
    let stop = end < 0 ? text.length : end;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--; // \r\n
    const cells = text.slice(start, stop).split(',');
    if (cells.length !== expectedHeader.length) {
      throw new CsvFormatError(file, line, `expected ${expectedHeader.length} fields, got ${cells.length}`);
    }
    onRow(cells, line);
    rows++;
  }
  return rows;
}

/** A float cell: empty is a missing value (NaN); anything else must be a finite number. */
export function parseFloatCell(cell: string, file: string, line: number, column: string): number {
  if (cell === '') return Number.NaN;
  const v = Number(cell);
  // Number() accepts surrounding blanks; a cell must not have them
  if (!Number.isFinite(v) || cell.charCodeAt(0) <= 32 || cell.charCodeAt(cell.length - 1) <= 32) {
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

/** A pysystemtrade contract id: exactly eight digits (YYYYMMDD). Char codes, not a regex: this runs per cell. */
function isContractId(cell: string): boolean {
  if (cell.length !== 8) return false;
  for (let i = 0; i < 8; i++) {
    const c = cell.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export function parseContractCell(cell: string, file: string, line: number, column: string): string {
  if (!isContractId(cell))
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
