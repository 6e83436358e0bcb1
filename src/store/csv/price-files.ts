import { csvFloat } from '../../domain/prices/python-repr.ts';
import { formatNaiveTimestamp } from '../../domain/prices/time.ts';
import type {
  ContractPrices,
  MultiplePrices,
  PriceSeries,
  RollCalendarRow,
} from '../../domain/prices/types.ts';
import { maxRows, scanPriceCsv } from './rows.ts';

/** Readers and writers of pysystemtrade's price CSVs (data doc §2). Readers throw CsvFormatError(file, line). */
export const MULTIPLE_HEADER = [
  'DATETIME',
  'CARRY',
  'CARRY_CONTRACT',
  'PRICE',
  'PRICE_CONTRACT',
  'FORWARD',
  'FORWARD_CONTRACT',
] as const;
export const ADJUSTED_HEADER = ['DATETIME', 'price'] as const;
export const FX_HEADER = ['DATETIME', 'PRICE'] as const;
export const ROLL_CALENDAR_HEADER = [
  'DATE_TIME',
  'current_contract',
  'next_contract',
  'carry_contract',
] as const;
export const CONTRACT_PRICES_HEADER = ['DATETIME', 'OPEN', 'HIGH', 'LOW', 'FINAL', 'VOLUME'] as const;
/** The sysinit test fixtures' layout (ISO times with zone). */
export const CONTRACT_PRICES_IB_HEADER = ['Time', 'Open', 'High', 'Low', 'Close', 'Volume'] as const;

export function parseMultiplePricesCsv(text: string, file: string): MultiplePrices {
  const cap = maxRows(text);
  const times = new Float64Array(cap);
  const price = new Float64Array(cap);
  const forward = new Float64Array(cap);
  const carry = new Float64Array(cap);
  const priceContract: string[] = [];
  const forwardContract: string[] = [];
  const carryContract: string[] = [];
  let prev: number | undefined;
  const n = scanPriceCsv(text, file, MULTIPLE_HEADER, (row) => {
    const i = priceContract.length;
    const t = row.stamp(0);
    row.ascending(prev, t);
    prev = t;
    times[i] = t;
    carry[i] = row.float(1);
    carryContract.push(row.contract(2));
    price[i] = row.float(3);
    priceContract.push(row.contract(4));
    forward[i] = row.float(5);
    forwardContract.push(row.contract(6));
  });
  return {
    times: times.slice(0, n),
    price: price.slice(0, n),
    forward: forward.slice(0, n),
    carry: carry.slice(0, n),
    priceContract,
    forwardContract,
    carryContract,
  };
}

/** A two-column series; a duplicated stamp keeps the last row (pysystemtrade's reader). */
function parseSeries(text: string, file: string, header: readonly string[]): PriceSeries {
  const cap = maxRows(text);
  const times = new Float64Array(cap);
  const values = new Float64Array(cap);
  let k = 0;
  scanPriceCsv(text, file, header, (row) => {
    const t = row.stamp(0);
    const v = row.float(1);
    if (k > 0 && t === times[k - 1]) {
      values[k - 1] = v;
      return;
    }
    row.ascending(k > 0 ? times[k - 1] : undefined, t);
    times[k] = t;
    values[k] = v;
    k++;
  });
  return { times: times.slice(0, k), values: values.slice(0, k) };
}

export const parseAdjustedPricesCsv = (text: string, file: string): PriceSeries =>
  parseSeries(text, file, ADJUSTED_HEADER);
export const parseFxPricesCsv = (text: string, file: string): PriceSeries =>
  parseSeries(text, file, FX_HEADER);

export function parseRollCalendarCsv(text: string, file: string): RollCalendarRow[] {
  const out: RollCalendarRow[] = [];
  let prev: number | undefined;
  scanPriceCsv(text, file, ROLL_CALENDAR_HEADER, (row) => {
    const time = row.stamp(0);
    row.ascending(prev, time);
    prev = time;
    out.push({
      time,
      currentContract: row.contract(1),
      nextContract: row.contract(2),
      carryContract: row.contract(3),
    });
  });
  return out;
}

/** Per-contract prices, in either pysystemtrade's own or the sysinit fixture (IB) layout. */
export function parseContractPricesCsv(text: string, file: string): ContractPrices {
  const ib = text.startsWith('Time,');
  const header = ib ? CONTRACT_PRICES_IB_HEADER : CONTRACT_PRICES_HEADER;
  const cap = maxRows(text);
  const z = (): Float64Array => new Float64Array(cap);
  const p: ContractPrices = { times: z(), open: z(), high: z(), low: z(), final: z(), volume: z() };
  let prev: number | undefined;
  let i = 0;
  const n = scanPriceCsv(text, file, header, (row) => {
    let t: number;
    if (ib) {
      const cell = row.cell(0);
      t = Date.parse(cell.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
      if (!/^\d{4}-\d{2}-\d{2}T/.test(cell) || Number.isNaN(t))
        row.fail(`Time is not an ISO timestamp: '${cell}'`);
    } else t = row.stamp(0);
    row.ascending(prev, t);
    prev = t;
    p.times[i] = t;
    p.open[i] = row.float(1);
    p.high[i] = row.float(2);
    p.low[i] = row.float(3);
    p.final[i] = row.float(4);
    p.volume[i] = row.float(5);
    i++;
  });
  return {
    times: p.times.slice(0, n),
    open: p.open.slice(0, n),
    high: p.high.slice(0, n),
    low: p.low.slice(0, n),
    final: p.final.slice(0, n),
    volume: p.volume.slice(0, n),
  };
}

// ---- writers: pysystemtrade's layout, Python float repr, NaN as an empty field ----

export function writeMultiplePricesCsv(m: MultiplePrices): string {
  const out: string[] = [MULTIPLE_HEADER.join(',')];
  for (let i = 0; i < m.times.length; i++) {
    out.push(
      `${formatNaiveTimestamp(m.times[i] as number)},${csvFloat(m.carry[i] as number)},${m.carryContract[i]},` +
        `${csvFloat(m.price[i] as number)},${m.priceContract[i]},${csvFloat(m.forward[i] as number)},${m.forwardContract[i]}`,
    );
  }
  return `${out.join('\n')}\n`;
}

function writeSeries(s: PriceSeries, header: readonly string[]): string {
  const out: string[] = [header.join(',')];
  for (let i = 0; i < s.times.length; i++) {
    out.push(`${formatNaiveTimestamp(s.times[i] as number)},${csvFloat(s.values[i] as number)}`);
  }
  return `${out.join('\n')}\n`;
}

export const writeAdjustedPricesCsv = (s: PriceSeries): string => writeSeries(s, ADJUSTED_HEADER);
export const writeFxPricesCsv = (s: PriceSeries): string => writeSeries(s, FX_HEADER);

export function writeRollCalendarCsv(rows: readonly RollCalendarRow[]): string {
  const out: string[] = [ROLL_CALENDAR_HEADER.join(',')];
  for (const r of rows) {
    out.push(`${formatNaiveTimestamp(r.time)},${r.currentContract},${r.nextContract},${r.carryContract}`);
  }
  return `${out.join('\n')}\n`;
}
