/**
 * The classic system's data from a pysystemtrade CSV folder (data doc §1): `adjusted_prices_csv/`,
 * `multiple_prices_csv/`, `fx_prices_csv/XXXUSD.csv`, `csvconfig/instrumentconfig.csv`. The files
 * are read by the same strict readers as `systack prices import` (`csv/price-files.ts`,
 * `csv/config-files.ts`): a bad row throws `CsvFormatError` naming `<file>:<line>`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PriceSeries } from '../domain/prices/types.ts';
import type { InstrumentData } from '../domain/system/subsystem.ts';
import { parseInstrumentConfigCsv } from './csv/config-files.ts';
import { parseAdjustedPricesCsv, parseFxPricesCsv, parseMultiplePricesCsv } from './csv/price-files.ts';
import { currencyOfUsdFxCode } from '../domain/prices/types.ts';
import type { SystemData } from './system-data.ts';

const csvNames = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /^[A-Za-z0-9_-]+\.csv$/.test(f))
        .map((f) => f.slice(0, -4))
    : [];

/** Instruments that have both an adjusted and a multiple prices file. */
export function listCsvInstruments(dir: string): string[] {
  const adj = new Set(csvNames(join(dir, 'adjusted_prices_csv')));
  return csvNames(join(dir, 'multiple_prices_csv'))
    .filter((c) => adj.has(c))
    .sort();
}

export function loadPysystemtradeData(dir: string, instrumentCodes?: string[]): SystemData {
  const read = (...parts: string[]): string => readFileSync(join(dir, ...parts), 'utf8');
  const config = parseInstrumentConfigCsv(
    read('csvconfig', 'instrumentconfig.csv'),
    'csvconfig/instrumentconfig.csv',
  );
  const codes = instrumentCodes ?? listCsvInstruments(dir);
  const instruments: InstrumentData[] = codes.map((code) => {
    const cfg = config.get(code);
    if (!cfg) throw new Error(`instrument ${code} is not in instrumentconfig.csv`);
    const adj = `adjusted_prices_csv/${code}.csv`;
    const mp = `multiple_prices_csv/${code}.csv`;
    if (!existsSync(join(dir, adj)) || !existsSync(join(dir, mp)))
      throw new Error(`instrument ${code} has no price files`);
    return {
      instrument_code: code,
      adjusted: parseAdjustedPricesCsv(read(adj), adj),
      multiple: parseMultiplePricesCsv(read(mp), mp),
      pointsize: cfg.pointsize,
      currency: cfg.currency,
    };
  });
  const fx_to_usd: Record<string, PriceSeries> = {};
  for (const code of csvNames(join(dir, 'fx_prices_csv'))) {
    const ccy = currencyOfUsdFxCode(code);
    if (ccy)
      fx_to_usd[ccy] = parseFxPricesCsv(read('fx_prices_csv', `${code}.csv`), `fx_prices_csv/${code}.csv`);
  }
  return { instruments, fx_to_usd };
}
