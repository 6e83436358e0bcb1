/**
 * Price series value types, columnar (one typed array a column) so a 50k-row series is compact
 * to store and fast to walk. Times are epoch ms (naive pysystemtrade stamps read as UTC),
 * strictly ascending. A missing price is NaN. Contract ids are pysystemtrade's `YYYYMMDD`
 * strings (DD is usually `00`).
 */

/** A single price series: adjusted prices, spot FX (data doc §2). */
export interface PriceSeries {
  times: Float64Array;
  values: Float64Array;
}

/** pysystemtrade's multiple prices frame (digest §6.3, data doc §3). */
export interface MultiplePrices {
  times: Float64Array;
  price: Float64Array;
  forward: Float64Array;
  carry: Float64Array;
  priceContract: string[];
  forwardContract: string[];
  carryContract: string[];
}

/** Per-contract prices: OPEN, HIGH, LOW, FINAL, VOLUME (futuresContractPrices). */
export interface ContractPrices {
  times: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  final: Float64Array;
  volume: Float64Array;
}

/** One roll calendar row (data doc §4): until `time` hold `current`, from it hold `next`. */
export interface RollCalendarRow {
  time: number;
  currentContract: string;
  nextContract: string;
  carryContract: string;
}

/** rollconfig.csv, one instrument (data doc §2). */
export interface RollParameters {
  holdRollCycle: string;
  rollOffsetDays: number;
  carryOffset: number;
  pricedRollCycle: string;
  expiryOffset: number;
}

/** instrumentconfig.csv, one instrument. */
export interface InstrumentMeta {
  description: string;
  pointsize: number;
  currency: string;
  assetClass: string;
  perBlock: number;
  percentage: number;
  perTrade: number;
  region: string;
}

/** moreinstrumentinfo.csv, one instrument (all text). */
export interface MoreInstrumentInfo {
  assetClass: string;
  subClass: string;
  subSubClass: string;
  style: string;
  country: string;
  duration: string;
  description: string;
}

/** Everything csvconfig says about one instrument; any part may be absent from the files. */
export interface InstrumentConfig {
  instrumentCode: string;
  meta?: InstrumentMeta;
  roll?: RollParameters;
  spreadCost?: number;
  moreInfo?: MoreInstrumentInfo;
}

export const PRICE_COLUMNS = ['open', 'high', 'low', 'final', 'volume'] as const;

export function emptySeries(): PriceSeries {
  return { times: new Float64Array(0), values: new Float64Array(0) };
}

export function emptyContractPrices(): ContractPrices {
  const z = (): Float64Array => new Float64Array(0);
  return { times: z(), open: z(), high: z(), low: z(), final: z(), volume: z() };
}

export function emptyMultiplePrices(): MultiplePrices {
  const z = (): Float64Array => new Float64Array(0);
  return {
    times: z(),
    price: z(),
    forward: z(),
    carry: z(),
    priceContract: [],
    forwardContract: [],
    carryContract: [],
  };
}

/** Index of the first time >= t (binary search). */
export function lowerBound(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Row range [from, to) of times within an optional [start, end] (inclusive) window. */
export function rangeIndices(times: Float64Array, start?: number, end?: number): [number, number] {
  const from = start === undefined ? 0 : lowerBound(times, start);
  const to = end === undefined ? times.length : lowerBound(times, end + 1e-3);
  return [from, Math.max(from, to)];
}

export function sliceSeries(s: PriceSeries, from: number, to: number): PriceSeries {
  return { times: s.times.slice(from, to), values: s.values.slice(from, to) };
}

export function sliceMultiple(m: MultiplePrices, from: number, to: number): MultiplePrices {
  return {
    times: m.times.slice(from, to),
    price: m.price.slice(from, to),
    forward: m.forward.slice(from, to),
    carry: m.carry.slice(from, to),
    priceContract: m.priceContract.slice(from, to),
    forwardContract: m.forwardContract.slice(from, to),
    carryContract: m.carryContract.slice(from, to),
  };
}

export function sliceContractPrices(p: ContractPrices, from: number, to: number): ContractPrices {
  return {
    times: p.times.slice(from, to),
    open: p.open.slice(from, to),
    high: p.high.slice(from, to),
    low: p.low.slice(from, to),
    final: p.final.slice(from, to),
    volume: p.volume.slice(from, to),
  };
}

/** Concatenate typed arrays. */
export function concatF64(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export function concatContractPrices(a: ContractPrices, b: ContractPrices): ContractPrices {
  return {
    times: concatF64(a.times, b.times),
    open: concatF64(a.open, b.open),
    high: concatF64(a.high, b.high),
    low: concatF64(a.low, b.low),
    final: concatF64(a.final, b.final),
    volume: concatF64(a.volume, b.volume),
  };
}

/** The currency of an FX code quoted in USD (`EURUSD` → `EUR`); undefined for other codes. */
export function currencyOfUsdFxCode(code: string): string | undefined {
  return /^([A-Z]{3})USD$/.exec(code)?.[1];
}
