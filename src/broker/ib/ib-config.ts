/**
 * pysystemtrade's IB instrument configuration (`ibconfig/` beside the sample data):
 * - `ib_config_futures.csv`: Instrument, IBSymbol, IBExchange, IBCurrency, IBMultiplier,
 *   priceMagnifier, IgnoreWeekly;
 * - `ib_config_spot_FX.csv`: CODE, CCY1, CCY2, INVERT (IB quotes CCY1CCY2; INVERT YES means our
 *   code is the reciprocal, e.g. JPYUSD from IB's USD.JPY).
 *
 * Price magnifier: IB's price × magnifier = our price (CORN: IB dollars, ours cents); so prices
 * from IB are multiplied, and limit prices sent to IB divided.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'csv-parse/sync';

export interface IbFuturesConfig {
  instrumentCode: string;
  symbol: string;
  exchange: string;
  /** Empty when the file says NA (IB infers it). */
  currency: string;
  multiplier: number;
  priceMagnifier: number;
  ignoreWeekly: boolean;
}

export interface IbFxConfig {
  code: string;
  ccy1: string;
  ccy2: string;
  invert: boolean;
}

export interface IbInstrumentConfig {
  futures: ReadonlyMap<string, IbFuturesConfig>;
  fx: ReadonlyMap<string, IbFxConfig>;
}

export class IbConfigError extends Error {
  override readonly name = 'IbConfigError';
}

type Row = Record<string, string>;

function rows(text: string, file: string, columns: string[]): Row[] {
  const out = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Row[];
  const first = out[0];
  if (first) {
    const missing = columns.filter((c) => !(c in first));
    if (missing.length > 0) throw new IbConfigError(`${file}: missing column(s) ${missing.join(', ')}`);
  }
  return out;
}

function bool(v: string, file: string, line: number): boolean {
  const u = v.toUpperCase();
  if (u === 'TRUE' || u === 'YES') return true;
  if (u === 'FALSE' || u === 'NO' || u === '') return false;
  throw new IbConfigError(`${file}:${line}: '${v}' is not TRUE/FALSE`);
}

function num(v: string, file: string, line: number, what: string): number {
  const n = Number(v);
  if (v === '' || !Number.isFinite(n) || n <= 0)
    throw new IbConfigError(`${file}:${line}: ${what} '${v}' is not a positive number`);
  return n;
}

export function parseIbFuturesConfig(
  text: string,
  file = 'ib_config_futures.csv',
): Map<string, IbFuturesConfig> {
  const cols = [
    'Instrument',
    'IBSymbol',
    'IBExchange',
    'IBCurrency',
    'IBMultiplier',
    'priceMagnifier',
    'IgnoreWeekly',
  ];
  const out = new Map<string, IbFuturesConfig>();
  rows(text, file, cols).forEach((r, i) => {
    const line = i + 2;
    const code = r.Instrument ?? '';
    if (code === '') throw new IbConfigError(`${file}:${line}: empty Instrument`);
    const currency = r.IBCurrency ?? '';
    out.set(code, {
      instrumentCode: code,
      symbol: r.IBSymbol ?? '',
      exchange: r.IBExchange ?? '',
      currency: currency === 'NA' ? '' : currency,
      multiplier: num(r.IBMultiplier ?? '', file, line, 'IBMultiplier'),
      priceMagnifier: num(r.priceMagnifier || '1', file, line, 'priceMagnifier'),
      ignoreWeekly: bool(r.IgnoreWeekly ?? '', file, line),
    });
  });
  return out;
}

export function parseIbFxConfig(text: string, file = 'ib_config_spot_FX.csv'): Map<string, IbFxConfig> {
  const out = new Map<string, IbFxConfig>();
  rows(text, file, ['CODE', 'CCY1', 'CCY2', 'INVERT']).forEach((r, i) => {
    const code = r.CODE ?? '';
    out.set(code, {
      code,
      ccy1: r.CCY1 ?? '',
      ccy2: r.CCY2 ?? '',
      invert: bool(r.INVERT ?? '', file, i + 2),
    });
  });
  return out;
}

/** A relative directory: from the working directory if it is there, else from systack's own root. */
export function resolveIbConfigDir(dir: string): string {
  if (isAbsolute(dir) || existsSync(dir)) return dir;
  for (let d = import.meta.dirname; d !== dirname(d); d = dirname(d))
    if (existsSync(join(d, 'package.json'))) return join(d, dir);
  return dir;
}

/** Read `ib_config_futures.csv` and `ib_config_spot_FX.csv` from a directory. */
export function loadIbInstrumentConfig(configDir: string): IbInstrumentConfig {
  const dir = resolveIbConfigDir(configDir);
  const read = (f: string): string => {
    try {
      return readFileSync(join(dir, f), 'utf8');
    } catch (err) {
      throw new IbConfigError(`cannot read ${join(dir, f)}: ${(err as Error).message}`);
    }
  };
  return {
    futures: parseIbFuturesConfig(read('ib_config_futures.csv')),
    fx: parseIbFxConfig(read('ib_config_spot_FX.csv')),
  };
}

/** Our price from IB's. */
export const fromIbPrice = (ibPrice: number, cfg: IbFuturesConfig): number =>
  tidy(ibPrice * cfg.priceMagnifier);
/** IB's price from ours. */
export const toIbPrice = (ourPrice: number, cfg: IbFuturesConfig): number =>
  tidy(ourPrice / cfg.priceMagnifier);
/** Drop binary noise from scaling (4.6 × 100 = 459.99999999999994 → 460). */
const tidy = (x: number): number => Number(x.toPrecision(12));
