/**
 * Trading rules and their raw forecasts (digest §7.2; `systems/provided/rules/ewmac.py`,
 * `futures_chapter15/rules.py` carry, `systems/rawdata.py` roll data).
 */
import type { BusinessDayGrid } from './calendar.ts';
import type { MultiplePrices } from '../prices/types.ts';
import { ewmMean } from '../ewm.ts';
import { ffill, resampleMean, type Series } from './series.ts';
import { ROOT_BDAYS_INYEAR } from './vol.ts';

/** EWMAC(Lf, Ls) = (EWMA_span=Lf(price) − EWMA_span=Ls(price)) / ffill(σ_p); min_periods = 1. */
export function ewmac(price: Series, vol: Series, lfast: number, lslow: number): Series {
  const fast = ewmMean(price, { span: lfast }, { minPeriods: 1 });
  const slow = ewmMean(price, { span: lslow }, { minPeriods: 1 });
  const v = ffill(vol);
  const out = new Float64Array(price.length);
  for (let i = 0; i < price.length; i++) out[i] = (fast[i]! - slow[i]!) / v[i]!;
  return out;
}

/**
 * yearfrac(YYYYMMDD) = floor(x / 10000) + ((x mod 10000) / 100) / 12 (digest §7.2 carry step 2).
 * Takes the contract id as pysystemtrade writes it (`'20231200'`) or as a number.
 */
export function contractYearFraction(contract: number | string): number {
  const x = typeof contract === 'string' ? (contract === '' ? Number.NaN : Number(contract)) : contract;
  const year = Math.floor(x / 10000);
  const month = (x % 10000) / 100;
  return year + month / 12;
}

const MIN_ROLL_DIFF = 1 / 365.25;

/**
 * Annualised roll per multiple-prices row: (PRICE − CARRY) / roll_diff, zero raw roll → NaN,
 * |roll_diff| floored at 1/365.25 keeping its sign.
 */
export function annualisedRoll(mp: MultiplePrices): Float64Array {
  const n = mp.times.length;
  const out = new Float64Array(n);
  // contract ids repeat on consecutive rows: convert each distinct id once
  const yearFractions = new Map<string, number>();
  const yf = (c: string): number => {
    let v = yearFractions.get(c);
    if (v === undefined) yearFractions.set(c, (v = contractYearFraction(c)));
    return v;
  };
  for (let i = 0; i < n; i++) {
    let rawRoll = mp.price[i]! - mp.carry[i]!;
    if (rawRoll === 0) rawRoll = Number.NaN;
    let rollDiff = yf(mp.carryContract[i]!) - yf(mp.priceContract[i]!);
    if (Math.abs(rollDiff) < MIN_ROLL_DIFF) rollDiff = rollDiff < 0 ? -MIN_ROLL_DIFF : MIN_ROLL_DIFF;
    out[i] = rawRoll / rollDiff;
  }
  return out;
}

/** Annualised roll resampled to business days with the mean (`daily_annualised_roll`). */
export function dailyAnnualisedRoll(mp: MultiplePrices, grid: BusinessDayGrid): Series {
  return resampleMean({ times: mp.times, values: annualisedRoll(mp) }, grid);
}

/** Carry = EWMA(com = smooth_days) of daily annualised roll / (σ_p × 16). */
export function carry(dailyAnnRoll: Series, vol: Series, smoothDays = 90): Series {
  const raw = new Float64Array(dailyAnnRoll.length);
  for (let i = 0; i < raw.length; i++) raw[i] = dailyAnnRoll[i]! / (vol[i]! * ROOT_BDAYS_INYEAR);
  return ewmMean(raw, { com: smoothDays });
}
