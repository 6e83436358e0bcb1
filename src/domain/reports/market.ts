/**
 * Per-instrument market figures the risk, costs, liquidity, minimum-capital and trade reports
 * share (digest §8 "Risk"): the daily price stdev (EWMA span 35 of daily price differences, the
 * reference's `get_daily_price_stdev`), annual = daily × 16, the value of one price point in
 * base currency (point size × FX) and the contract exposure = point value × price.
 */
import { ewmStd } from '../ewm.ts';

export const ROOT_DAYS = 16;

/** What the reports know of an instrument's market; a field is undefined when not stored. */
export interface InstrumentMarket {
  instrumentCode: string;
  assetClass?: string;
  currency?: string;
  pointSize?: number;
  /** Instrument currency → base currency, latest. */
  fx?: number;
  /** Latest adjusted price. */
  price?: number;
  /** Daily adjusted prices (time, value), oldest first. */
  prices: Array<[number, number]>;
  /** Daily volumes of the priced contract (time, contracts), oldest first. */
  volumes: Array<[number, number]>;
  /** Configured slippage (spread cost, price units) and commissions. */
  spreadCost?: number;
  perBlock?: number;
  percentage?: number;
  perTrade?: number;
}

/**
 * One price per UTC day (the day's last), the last `days` of them: stored adjusted prices may
 * hold several rows a day (the hourly rows of the intraday updates), and every figure here is
 * daily (the reference resamples to business days first).
 */
export function dailyCloses(
  times: ArrayLike<number>,
  values: ArrayLike<number>,
  days: number,
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = times.length - 1; i >= 0 && out.length <= days; i--) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    const day = Math.floor(times[i]! / 86_400_000);
    const prev = out.at(-1);
    if (prev && Math.floor(prev[0] / 86_400_000) === day) continue;
    out.push([times[i]!, v]);
  }
  if (out.length > days) out.pop();
  return out.reverse();
}

/** EWMA (span 35) stdev of daily price differences, at the last day; undefined under 2 prices. */
export function dailyPriceStdev(prices: Array<[number, number]>): number | undefined {
  if (prices.length < 3) return undefined;
  const diffs = new Float64Array(prices.length - 1);
  for (let i = 1; i < prices.length; i++) diffs[i - 1] = prices[i]![1] - prices[i - 1]![1];
  const s = ewmStd(diffs, { span: 35 }, { minPeriods: 2 });
  const v = s[s.length - 1];
  return v === undefined || Number.isNaN(v) ? undefined : v;
}

/** Value of one price point in base currency (point size × FX). */
export function pointValueBase(m: InstrumentMarket): number | undefined {
  return m.pointSize === undefined || m.fx === undefined ? undefined : m.pointSize * m.fx;
}

export interface InstrumentRiskFigures {
  dailyPriceStdev?: number;
  annualPriceStdev?: number;
  dailyPercStdev?: number;
  annualPercStdev?: number;
  pointSizeBase?: number;
  contractExposure?: number;
  dailyRiskPerContract?: number;
  annualRiskPerContract?: number;
}

export function riskFigures(m: InstrumentMarket): InstrumentRiskFigures {
  const d = dailyPriceStdev(m.prices);
  const psb = pointValueBase(m);
  const price = m.price;
  const pct = d !== undefined && price !== undefined && price !== 0 ? (100 * d) / price : undefined;
  return {
    dailyPriceStdev: d,
    annualPriceStdev: d === undefined ? undefined : d * ROOT_DAYS,
    dailyPercStdev: pct,
    annualPercStdev: pct === undefined ? undefined : pct * ROOT_DAYS,
    pointSizeBase: psb,
    contractExposure: psb === undefined || price === undefined ? undefined : psb * price,
    dailyRiskPerContract: psb === undefined || d === undefined ? undefined : psb * d,
    annualRiskPerContract: psb === undefined || d === undefined ? undefined : psb * d * ROOT_DAYS,
  };
}

/** Daily percentage returns keyed by UTC day number. */
function dailyReturns(prices: Array<[number, number]>): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 1; i < prices.length; i++) {
    const [t, p] = prices[i]!;
    const prev = prices[i - 1]![1];
    if (prev !== 0) out.set(Math.floor(t / 86_400_000), p / prev - 1);
  }
  return out;
}

/** Pearson correlation of daily returns over the days both have, last `days` of them. */
export function correlation(a: Array<[number, number]>, b: Array<[number, number]>, days = 250): number {
  const ra = dailyReturns(a);
  const rb = dailyReturns(b);
  const common = [...ra.keys()].filter((d) => rb.has(d)).slice(-days);
  if (common.length < 3) return Number.NaN;
  const xs = common.map((d) => ra.get(d)!);
  const ys = common.map((d) => rb.get(d)!);
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}
