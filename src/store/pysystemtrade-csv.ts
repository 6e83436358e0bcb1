/**
 * File access for pysystemtrade's CSV data folders (pysystemtrade-data.md §1):
 * `adjusted_prices_csv/`, `multiple_prices_csv/`, `fx_prices_csv/XXXUSD.csv`,
 * `csvconfig/instrumentconfig.csv`. Parsing is pure, in `src/domain/system/csv.ts`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PriceSeries } from '../domain/system/csv.ts';
import { parseInstrumentConfigCsv, parseMultiplePricesCsv, parsePriceCsv } from '../domain/system/csv.ts';
import type { InstrumentData } from '../domain/system/subsystem.ts';

export interface PysystemtradeData {
  instruments: InstrumentData[];
  fx_to_usd: Record<string, PriceSeries>;
}

/** Instruments that have both an adjusted and a multiple prices file. */
export function listCsvInstruments(dir: string): string[] {
  const adj = new Set(
    readdirSync(join(dir, 'adjusted_prices_csv'))
      .filter((f) => f.endsWith('.csv'))
      .map((f) => f.slice(0, -4)),
  );
  return readdirSync(join(dir, 'multiple_prices_csv'))
    .filter((f) => f.endsWith('.csv') && adj.has(f.slice(0, -4)))
    .map((f) => f.slice(0, -4))
    .sort();
}

export function loadPysystemtradeData(dir: string, instrumentCodes?: string[]): PysystemtradeData {
  const config = parseInstrumentConfigCsv(
    readFileSync(join(dir, 'csvconfig', 'instrumentconfig.csv'), 'utf8'),
  );
  const codes = instrumentCodes ?? listCsvInstruments(dir);
  const instruments: InstrumentData[] = codes.map((code) => {
    const cfg = config.get(code);
    if (!cfg) throw new Error(`instrument ${code} is not in instrumentconfig.csv`);
    const adjPath = join(dir, 'adjusted_prices_csv', `${code}.csv`);
    const mpPath = join(dir, 'multiple_prices_csv', `${code}.csv`);
    if (!existsSync(adjPath) || !existsSync(mpPath)) throw new Error(`instrument ${code} has no price files`);
    return {
      instrument_code: code,
      adjusted: parsePriceCsv(readFileSync(adjPath, 'utf8'), `${code} adjusted prices`),
      multiple: parseMultiplePricesCsv(readFileSync(mpPath, 'utf8'), `${code} multiple prices`),
      pointsize: cfg.pointsize,
      currency: cfg.currency,
    };
  });
  const fx_to_usd: Record<string, PriceSeries> = {};
  const fxDir = join(dir, 'fx_prices_csv');
  if (existsSync(fxDir)) {
    for (const f of readdirSync(fxDir)) {
      const m = /^([A-Z]{3})USD\.csv$/.exec(f);
      if (m) fx_to_usd[m[1]!] = parsePriceCsv(readFileSync(join(fxDir, f), 'utf8'), f);
    }
  }
  return { instruments, fx_to_usd };
}
