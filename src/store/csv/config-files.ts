import { parse } from 'csv-parse/sync';
import type {
  InstrumentConfig,
  InstrumentMeta,
  MoreInstrumentInfo,
  RollParameters,
} from '../../domain/prices/types.ts';
import { CsvFormatError } from './rows.ts';

/** pysystemtrade's csvconfig files (data doc §2). These quote some fields, so csv-parse reads them. */
export const INSTRUMENT_CONFIG_HEADER = [
  'Instrument',
  'Description',
  'Pointsize',
  'Currency',
  'AssetClass',
  'PerBlock',
  'Percentage',
  'PerTrade',
  'Region',
] as const;
export const ROLL_CONFIG_HEADER = [
  'Instrument',
  'HoldRollCycle',
  'RollOffsetDays',
  'CarryOffset',
  'PricedRollCycle',
  'ExpiryOffset',
] as const;
export const SPREAD_COSTS_HEADER = ['Instrument', 'SpreadCost'] as const;
export const MORE_INFO_HEADER = [
  'Instrument',
  'AssetClass',
  'SubClass',
  'SubSubClass',
  'Style',
  'Country',
  'Duration',
  'Description',
] as const;

interface Row {
  line: number;
  cells: string[];
}

function readConfigCsv(text: string, file: string, header: readonly string[]): Row[] {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, {
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 0;
    throw new CsvFormatError(file, line, (err as Error).message);
  }
  const head = records[0]?.record ?? [];
  if (head.length !== header.length || head.some((h, i) => h !== header[i])) {
    throw new CsvFormatError(file, 1, `header must be '${header.join(',')}', got '${head.join(',')}'`);
  }
  const seen = new Set<string>();
  return records.slice(1).map(({ record, info }) => {
    if (record.length !== header.length) {
      throw new CsvFormatError(file, info.lines, `expected ${header.length} fields, got ${record.length}`);
    }
    const code = record[0] as string;
    if (!/^[A-Za-z0-9_-]+$/.test(code))
      throw new CsvFormatError(file, info.lines, `bad instrument code '${code}'`);
    if (seen.has(code)) throw new CsvFormatError(file, info.lines, `instrument ${code} appears twice`);
    seen.add(code);
    return { line: info.lines, cells: record };
  });
}

function num(cell: string, file: string, line: number, column: string): number {
  const v = Number(cell);
  if (cell.trim() === '' || !Number.isFinite(v))
    throw new CsvFormatError(file, line, `${column} is not a number: '${cell}'`);
  return v;
}

const CYCLE = /^[FGHJKMNQUVXZ]+$/;

export function parseInstrumentConfigCsv(text: string, file: string): Map<string, InstrumentMeta> {
  const out = new Map<string, InstrumentMeta>();
  for (const { line, cells: c } of readConfigCsv(text, file, INSTRUMENT_CONFIG_HEADER)) {
    out.set(c[0] as string, {
      description: c[1] as string,
      pointsize: num(c[2] as string, file, line, 'Pointsize'),
      currency: c[3] as string,
      assetClass: c[4] as string,
      perBlock: num(c[5] as string, file, line, 'PerBlock'),
      percentage: num(c[6] as string, file, line, 'Percentage'),
      perTrade: num(c[7] as string, file, line, 'PerTrade'),
      region: c[8] as string,
    });
  }
  return out;
}

export function parseRollConfigCsv(text: string, file: string): Map<string, RollParameters> {
  const out = new Map<string, RollParameters>();
  for (const { line, cells: c } of readConfigCsv(text, file, ROLL_CONFIG_HEADER)) {
    const hold = c[1] as string;
    const priced = c[4] as string;
    if (!CYCLE.test(hold))
      throw new CsvFormatError(file, line, `HoldRollCycle is not month letters: '${hold}'`);
    if (!CYCLE.test(priced))
      throw new CsvFormatError(file, line, `PricedRollCycle is not month letters: '${priced}'`);
    const carryOffset = num(c[3] as string, file, line, 'CarryOffset');
    if (carryOffset !== 1 && carryOffset !== -1)
      throw new CsvFormatError(file, line, 'CarryOffset must be 1 or -1');
    out.set(c[0] as string, {
      holdRollCycle: hold,
      rollOffsetDays: num(c[2] as string, file, line, 'RollOffsetDays'),
      carryOffset,
      pricedRollCycle: priced,
      expiryOffset: num(c[5] as string, file, line, 'ExpiryOffset'),
    });
  }
  return out;
}

export function parseSpreadCostsCsv(text: string, file: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const { line, cells: c } of readConfigCsv(text, file, SPREAD_COSTS_HEADER)) {
    out.set(c[0] as string, num(c[1] as string, file, line, 'SpreadCost'));
  }
  return out;
}

export function parseMoreInstrumentInfoCsv(text: string, file: string): Map<string, MoreInstrumentInfo> {
  const out = new Map<string, MoreInstrumentInfo>();
  for (const { cells: c } of readConfigCsv(text, file, MORE_INFO_HEADER)) {
    out.set(c[0] as string, {
      assetClass: c[1] as string,
      subClass: c[2] as string,
      subSubClass: c[3] as string,
      style: c[4] as string,
      country: c[5] as string,
      duration: c[6] as string,
      description: c[7] as string,
    });
  }
  return out;
}

/** Join the four files into one config per instrument (any file may be missing a given instrument). */
export function joinInstrumentConfigs(parts: {
  meta?: Map<string, InstrumentMeta>;
  roll?: Map<string, RollParameters>;
  spread?: Map<string, number>;
  more?: Map<string, MoreInstrumentInfo>;
}): InstrumentConfig[] {
  const codes = new Set<string>();
  for (const m of [parts.meta, parts.roll, parts.spread, parts.more])
    for (const k of m?.keys() ?? []) codes.add(k);
  return [...codes].sort().map((instrumentCode) => {
    const cfg: InstrumentConfig = { instrumentCode };
    const meta = parts.meta?.get(instrumentCode);
    const roll = parts.roll?.get(instrumentCode);
    const spread = parts.spread?.get(instrumentCode);
    const more = parts.more?.get(instrumentCode);
    if (meta) cfg.meta = meta;
    if (roll) cfg.roll = roll;
    if (spread !== undefined) cfg.spreadCost = spread;
    if (more) cfg.moreInfo = more;
    return cfg;
  });
}

/** Rows of the csvconfig files for some instruments only (used to cut the bundled sample). */
export function filterConfigCsv(text: string, codes: ReadonlySet<string>): string {
  const lines = text.split('\n');
  const keep = lines.filter((l, i) => i === 0 || codes.has(l.split(',')[0] ?? ''));
  return `${keep.filter((l) => l !== '').join('\n')}\n`;
}
