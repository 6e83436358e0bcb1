/**
 * Pure readers for pysystemtrade's CSV files (pysystemtrade-data.md §2). They take the text
 * and return typed arrays; file reading lives in `src/store/pysystemtrade-csv.ts`.
 * Comma separated, one header row, no quoting, an empty field is a missing number.
 */
import { epochDayOfTimestamp } from './calendar.ts';

export interface PriceSeries {
  /** Epoch day of each row. */
  readonly days: Int32Array;
  readonly values: Float64Array;
  /** The last row's timestamp text, e.g. `2023-08-31 23:00:00`. */
  readonly lastTimestamp: string | undefined;
}

export interface MultiplePrices {
  readonly days: Int32Array;
  readonly price: Float64Array;
  readonly carry: Float64Array;
  readonly forward: Float64Array;
  /** Contract ids as YYYYMMDD numbers. */
  readonly priceContract: Float64Array;
  readonly carryContract: Float64Array;
  readonly forwardContract: Float64Array;
  readonly lastTimestamp: string | undefined;
}

export interface InstrumentConfig {
  readonly instrument_code: string;
  readonly description: string;
  readonly pointsize: number;
  readonly currency: string;
  readonly asset_class: string;
}

function numberOrNaN(s: string | undefined): number {
  if (s === undefined || s === '') return Number.NaN;
  const v = Number(s);
  return v;
}

/** Epoch day of a row's timestamp, reusing the previous row's when the date is the same. */
function dayCache(): (stamp: string) => number {
  let lastDate = '';
  let lastDay = Number.NaN;
  return (stamp: string) => {
    const date = stamp.slice(0, 10);
    if (date !== lastDate) {
      lastDate = date;
      lastDay = epochDayOfTimestamp(stamp);
    }
    return lastDay;
  };
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  for (const l of lines) {
    const t = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (t.length > 0) out.push(t);
  }
  return out;
}

function headerIndex(header: string, wanted: readonly string[], what: string): number[] {
  const cols = header.split(',');
  return wanted.map((w) => {
    const i = cols.indexOf(w);
    if (i < 0) throw new Error(`${what}: missing column ${w} in header '${header}'`);
    return i;
  });
}

/** Two-column price files: adjusted prices (`DATETIME,price`), FX (`DATETIME,PRICE`), fixtures. */
export function parsePriceCsv(text: string, what = 'price csv'): PriceSeries {
  const lines = splitLines(text);
  if (lines.length === 0) throw new Error(`${what}: empty file`);
  const n = lines.length - 1;
  const days = new Int32Array(n);
  const values = new Float64Array(n);
  const dayOf = dayCache();
  for (let i = 0; i < n; i++) {
    const line = lines[i + 1]!;
    const comma = line.indexOf(',');
    if (comma < 0) throw new Error(`${what}: line ${i + 2} has no comma`);
    const day = dayOf(line.slice(0, comma));
    if (Number.isNaN(day))
      throw new Error(`${what}: line ${i + 2} has a bad timestamp '${line.slice(0, comma)}'`);
    days[i] = day;
    const v = numberOrNaN(line.slice(comma + 1));
    if (Number.isNaN(v) && line.length > comma + 1)
      throw new Error(`${what}: line ${i + 2} has a bad number`);
    values[i] = v;
  }
  const last = lines[n];
  return {
    days,
    values,
    lastTimestamp: n > 0 && last !== undefined ? last.slice(0, last.indexOf(',')) : undefined,
  };
}

const MULTIPLE_COLUMNS = [
  'DATETIME',
  'CARRY',
  'CARRY_CONTRACT',
  'PRICE',
  'PRICE_CONTRACT',
  'FORWARD',
  'FORWARD_CONTRACT',
] as const;

export function parseMultiplePricesCsv(text: string, what = 'multiple prices csv'): MultiplePrices {
  const lines = splitLines(text);
  if (lines.length === 0) throw new Error(`${what}: empty file`);
  const [iDt, iC, iCC, iP, iPC, iF, iFC] = headerIndex(lines[0]!, MULTIPLE_COLUMNS, what) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const n = lines.length - 1;
  const out = {
    days: new Int32Array(n),
    price: new Float64Array(n),
    carry: new Float64Array(n),
    forward: new Float64Array(n),
    priceContract: new Float64Array(n),
    carryContract: new Float64Array(n),
    forwardContract: new Float64Array(n),
  };
  const dayOf = dayCache();
  for (let i = 0; i < n; i++) {
    const f = lines[i + 1]!.split(',');
    const day = dayOf(f[iDt] ?? '');
    if (Number.isNaN(day)) throw new Error(`${what}: line ${i + 2} has a bad timestamp '${f[iDt]}'`);
    out.days[i] = day;
    out.carry[i] = numberOrNaN(f[iC]);
    out.carryContract[i] = numberOrNaN(f[iCC]);
    out.price[i] = numberOrNaN(f[iP]);
    out.priceContract[i] = numberOrNaN(f[iPC]);
    out.forward[i] = numberOrNaN(f[iF]);
    out.forwardContract[i] = numberOrNaN(f[iFC]);
  }
  const lastTimestamp = n > 0 ? lines[n]!.split(',')[iDt] : undefined;
  return { ...out, lastTimestamp };
}

/** `instrumentconfig.csv`: Instrument, Description, Pointsize, Currency, AssetClass, ... */
export function parseInstrumentConfigCsv(text: string): Map<string, InstrumentConfig> {
  const lines = splitLines(text);
  if (lines.length === 0) throw new Error('instrumentconfig.csv: empty file');
  const [iI, iD, iP, iC, iA] = headerIndex(
    lines[0]!,
    ['Instrument', 'Description', 'Pointsize', 'Currency', 'AssetClass'],
    'instrumentconfig.csv',
  ) as [number, number, number, number, number];
  const out = new Map<string, InstrumentConfig>();
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.split(',');
    const code = f[iI] ?? '';
    if (code === '') continue;
    out.set(code, {
      instrument_code: code,
      description: f[iD] ?? '',
      pointsize: numberOrNaN(f[iP]),
      currency: f[iC] ?? '',
      asset_class: f[iA] ?? '',
    });
  }
  return out;
}
