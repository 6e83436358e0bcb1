import { endianness } from 'node:os';
import type { ContractPrices, MultiplePrices, PriceSeries, RollCalendarRow } from '../domain/prices/types.ts';

/**
 * Compact columnar encoding of price series for the object store. Layout:
 * `SYS1` · u32 LE header length · header JSON · zero padding to 8 bytes · float64 columns (LE).
 * The header names the number columns (in order) and holds string columns run-length encoded
 * (contract ids change a few hundred times in 50k rows). A 50k-row multiple prices series is
 * ~1.6 MB and decodes with a single copy per column.
 */
interface Header {
  rows: number;
  f64: string[];
  str: Record<string, Array<[string, number]>>;
}

const MAGIC = [0x53, 0x59, 0x53, 0x31];

if (endianness() !== 'LE') throw new Error('series codec assumes a little-endian platform');

export interface Columns {
  rows: number;
  f64: Record<string, Float64Array>;
  str: Record<string, string[]>;
}

function runLength(values: string[]): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const v of values) {
    const last = out[out.length - 1];
    if (last && last[0] === v) last[1]++;
    else out.push([v, 1]);
  }
  return out;
}

export function encodeColumns(c: Columns): Uint8Array {
  const header: Header = { rows: c.rows, f64: Object.keys(c.f64), str: {} };
  for (const [k, v] of Object.entries(c.str)) header.str[k] = runLength(v);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((8 + json.length) / 8) * 8;
  const out = new Uint8Array(start + header.f64.length * c.rows * 8);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  header.f64.forEach((name, i) => {
    const col = c.f64[name] as Float64Array;
    if (col.length !== c.rows) throw new Error(`column ${name} has ${col.length} rows, expected ${c.rows}`);
    out.set(new Uint8Array(col.buffer, col.byteOffset, col.byteLength), start + i * c.rows * 8);
  });
  return out;
}

export function decodeColumns(bytes: Uint8Array): Columns {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b))
    throw new Error('not an encoded price series');
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len))) as Header;
  const start = Math.ceil((8 + len) / 8) * 8;
  const f64: Record<string, Float64Array> = {};
  header.f64.forEach((name, i) => {
    const from = start + i * header.rows * 8;
    // copy into an aligned buffer of its own (the input may be a pooled, unaligned Buffer)
    const col = new Float64Array(header.rows);
    new Uint8Array(col.buffer).set(bytes.subarray(from, from + header.rows * 8));
    f64[name] = col;
  });
  const str: Record<string, string[]> = {};
  for (const [name, runs] of Object.entries(header.str)) {
    const col: string[] = new Array(header.rows);
    let k = 0;
    for (const [v, count] of runs) for (let j = 0; j < count; j++) col[k++] = v;
    str[name] = col;
  }
  return { rows: header.rows, f64, str };
}

function need<T>(x: T | undefined, what: string): T {
  if (x === undefined) throw new Error(`encoded series has no ${what} column`);
  return x;
}

export const encodeSeries = (s: PriceSeries): Uint8Array =>
  encodeColumns({ rows: s.times.length, f64: { times: s.times, values: s.values }, str: {} });

export function decodeSeries(bytes: Uint8Array): PriceSeries {
  const c = decodeColumns(bytes);
  return { times: need(c.f64.times, 'times'), values: need(c.f64.values, 'values') };
}

export const encodeMultiple = (m: MultiplePrices): Uint8Array =>
  encodeColumns({
    rows: m.times.length,
    f64: { times: m.times, price: m.price, forward: m.forward, carry: m.carry },
    str: {
      priceContract: m.priceContract,
      forwardContract: m.forwardContract,
      carryContract: m.carryContract,
    },
  });

export function decodeMultiple(bytes: Uint8Array): MultiplePrices {
  const c = decodeColumns(bytes);
  return {
    times: need(c.f64.times, 'times'),
    price: need(c.f64.price, 'price'),
    forward: need(c.f64.forward, 'forward'),
    carry: need(c.f64.carry, 'carry'),
    priceContract: need(c.str.priceContract, 'priceContract'),
    forwardContract: need(c.str.forwardContract, 'forwardContract'),
    carryContract: need(c.str.carryContract, 'carryContract'),
  };
}

export const encodeContractPrices = (p: ContractPrices): Uint8Array =>
  encodeColumns({
    rows: p.times.length,
    f64: { times: p.times, open: p.open, high: p.high, low: p.low, final: p.final, volume: p.volume },
    str: {},
  });

export function decodeContractPrices(bytes: Uint8Array): ContractPrices {
  const c = decodeColumns(bytes);
  return {
    times: need(c.f64.times, 'times'),
    open: need(c.f64.open, 'open'),
    high: need(c.f64.high, 'high'),
    low: need(c.f64.low, 'low'),
    final: need(c.f64.final, 'final'),
    volume: need(c.f64.volume, 'volume'),
  };
}

export const encodeRollCalendar = (rows: RollCalendarRow[]): Uint8Array =>
  encodeColumns({
    rows: rows.length,
    f64: { times: Float64Array.from(rows, (r) => r.time) },
    str: {
      current: rows.map((r) => r.currentContract),
      next: rows.map((r) => r.nextContract),
      carry: rows.map((r) => r.carryContract),
    },
  });

export function decodeRollCalendar(bytes: Uint8Array): RollCalendarRow[] {
  const c = decodeColumns(bytes);
  const times = need(c.f64.times, 'times');
  const cur = need(c.str.current, 'current');
  const next = need(c.str.next, 'next');
  const carry = need(c.str.carry, 'carry');
  return Array.from(times, (time, i) => ({
    time,
    currentContract: cur[i] as string,
    nextContract: next[i] as string,
    carryContract: carry[i] as string,
  }));
}
