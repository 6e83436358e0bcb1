import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PriceStore } from '../price-store.ts';
import {
  joinInstrumentConfigs,
  parseInstrumentConfigCsv,
  parseMoreInstrumentInfoCsv,
  parseRollConfigCsv,
  parseSpreadCostsCsv,
} from './config-files.ts';
import {
  parseAdjustedPricesCsv,
  parseContractPricesCsv,
  parseFxPricesCsv,
  parseMultiplePricesCsv,
  parseRollCalendarCsv,
} from './price-files.ts';

/**
 * Import a folder laid out like pysystemtrade's `data/futures/` (data doc §1):
 * `csvconfig/{instrumentconfig,rollconfig,spreadcosts,moreinstrumentinfo}.csv`, `multiple_prices_csv/`,
 * `adjusted_prices_csv/`, `fx_prices_csv/` (file `EURUSD.csv` → FX code EURUSD), `roll_calendars_csv/`,
 * and per-contract prices `contract_prices_csv/<INSTRUMENT>_<YYYYMMDD>.csv` (pysystemtrade's csv
 * per-contract files hold merged frequencies; they are stored in the daily slot). Any folder may be
 * absent; editor leftovers (`*.csv~`, `#x.csv#`) are ignored.
 *
 * All files are read and validated first; a bad row throws CsvFormatError naming file and line and
 * nothing at all is written. Then everything is written.
 */
export type ImportProgressEvent = { phase: 'read' | 'write'; done: number; total: number; item: string };
export type ImportProgress = (e: ImportProgressEvent) => void;

export interface ImportSummary {
  instrumentConfigs: number;
  multiplePrices: string[];
  adjustedPrices: string[];
  fxPrices: string[];
  rollCalendars: string[];
  contractPrices: string[];
  rows: number;
}

const CODE_FILE = /^([A-Za-z0-9_-]+)\.csv$/;
const CONTRACT_FILE = /^([A-Za-z0-9_-]+)_(\d{8})\.csv$/;

async function csvFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((f) => CODE_FILE.test(f)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

type Write = { item: string; run: (store: PriceStore) => Promise<void> };

export async function importPrices(
  store: PriceStore,
  dir: string,
  progress: ImportProgress = () => undefined,
): Promise<ImportSummary> {
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) {
    throw new Error(`${dir} is not a directory`);
  }
  const summary: ImportSummary = {
    instrumentConfigs: 0,
    multiplePrices: [],
    adjustedPrices: [],
    fxPrices: [],
    rollCalendars: [],
    contractPrices: [],
    rows: 0,
  };
  const writes: Write[] = [];
  const folders = ['multiple_prices_csv', 'adjusted_prices_csv', 'fx_prices_csv', 'roll_calendars_csv'];
  const listed = await Promise.all(folders.map((f) => csvFiles(join(dir, f))));
  const contractFiles = (await csvFiles(join(dir, 'contract_prices_csv'))).filter((f) =>
    CONTRACT_FILE.test(f),
  );
  const total = 1 + listed.reduce((a, l) => a + l.length, 0) + contractFiles.length;
  let done = 0;
  const tick = (item: string): void => progress({ phase: 'read', done: ++done, total, item });

  // csvconfig: one record per instrument joined from the four files
  const cfgDir = join(dir, 'csvconfig');
  const cfgText = async (name: string): Promise<[string, string] | undefined> => {
    const text = await readIfExists(join(cfgDir, name));
    return text === undefined ? undefined : [text, `csvconfig/${name}`];
  };
  const [ic, rc, sc, mi] = await Promise.all(
    ['instrumentconfig.csv', 'rollconfig.csv', 'spreadcosts.csv', 'moreinstrumentinfo.csv'].map(cfgText),
  );
  const configs = joinInstrumentConfigs({
    meta: ic && parseInstrumentConfigCsv(...ic),
    roll: rc && parseRollConfigCsv(...rc),
    spread: sc && parseSpreadCostsCsv(...sc),
    more: mi && parseMoreInstrumentInfoCsv(...mi),
  });
  summary.instrumentConfigs = configs.length;
  for (const cfg of configs)
    writes.push({ item: `config ${cfg.instrumentCode}`, run: (s) => s.putInstrumentConfig(cfg) });
  tick('csvconfig');

  const [multipleFiles, adjustedFiles, fxFiles, rollFiles] = listed as [
    string[],
    string[],
    string[],
    string[],
  ];
  const codeOf = (f: string): string => (CODE_FILE.exec(f) as RegExpExecArray)[1] as string;
  const read = (folder: string, f: string): Promise<string> => readFile(join(dir, folder, f), 'utf8');

  for (const f of multipleFiles) {
    const code = codeOf(f);
    const m = parseMultiplePricesCsv(await read('multiple_prices_csv', f), `multiple_prices_csv/${f}`);
    summary.rows += m.times.length;
    summary.multiplePrices.push(code);
    writes.push({ item: `multiple ${code}`, run: (s) => s.putMultiplePrices(code, m) });
    tick(`multiple_prices_csv/${f}`);
  }
  for (const f of adjustedFiles) {
    const code = codeOf(f);
    const a = parseAdjustedPricesCsv(await read('adjusted_prices_csv', f), `adjusted_prices_csv/${f}`);
    summary.rows += a.times.length;
    summary.adjustedPrices.push(code);
    writes.push({ item: `adjusted ${code}`, run: (s) => s.putAdjustedPrices(code, a) });
    tick(`adjusted_prices_csv/${f}`);
  }
  for (const f of fxFiles) {
    const code = codeOf(f);
    const fx = parseFxPricesCsv(await read('fx_prices_csv', f), `fx_prices_csv/${f}`);
    summary.rows += fx.times.length;
    summary.fxPrices.push(code);
    writes.push({ item: `fx ${code}`, run: (s) => s.putFxPrices(code, fx) });
    tick(`fx_prices_csv/${f}`);
  }
  for (const f of rollFiles) {
    const code = codeOf(f);
    const cal = parseRollCalendarCsv(await read('roll_calendars_csv', f), `roll_calendars_csv/${f}`);
    summary.rows += cal.length;
    summary.rollCalendars.push(code);
    writes.push({ item: `roll calendar ${code}`, run: (s) => s.putRollCalendar(code, cal) });
    tick(`roll_calendars_csv/${f}`);
  }
  for (const f of contractFiles) {
    const [, code, contract] = CONTRACT_FILE.exec(f) as RegExpExecArray;
    const p = parseContractPricesCsv(await read('contract_prices_csv', f), `contract_prices_csv/${f}`);
    summary.rows += p.times.length;
    summary.contractPrices.push(`${code}/${contract}`);
    writes.push({
      item: `contract ${code} ${contract}`,
      run: (s) => s.putContractPrices(code as string, contract as string, 'D', p),
    });
    tick(`contract_prices_csv/${f}`);
  }

  // every file is valid: write, a few at a time
  let written = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < writes.length) {
      const w = writes[next++] as Write;
      await w.run(store);
      progress({ phase: 'write', done: ++written, total: writes.length, item: w.item });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return summary;
}
