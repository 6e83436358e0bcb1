/**
 * Business-day calendar used by the classic system (digest §7: pandas `resample("1B")`).
 *
 * Dates are counted as epoch days (days since 1970-01-01 of the naive stamp read as UTC,
 * `src/domain/prices/time.ts`). A business-day number counts
 * Monday..Friday only. A Saturday or Sunday timestamp falls into the Friday bin, as pandas'
 * left-closed `1B` bins do.
 */
import { formatNaiveTimestamp, MS_PER_DAY } from '../prices/time.ts';

/** Days since 1970-01-01 of a civil date. */
export function epochDayFromCivil(y: number, m: number, d: number): number {
  return Math.floor(Date.UTC(y, m - 1, d) / MS_PER_DAY);
}

/** Civil date of an epoch day, as `YYYY-MM-DD` (timestamps are parsed and written in `../prices/time.ts`). */
export function civilFromEpochDay(z: number): string {
  return formatNaiveTimestamp(z * MS_PER_DAY).slice(0, 10);
}

/** Business-day number of an epoch day; weekends map to the preceding Friday. */
export function businessDayOf(epochDay: number): number {
  const shifted = epochDay + 3; // 1970-01-05 (epoch day 4) is a Monday → shifted 7
  const week = Math.floor(shifted / 7);
  const dow = shifted - week * 7; // 0 = Monday
  return week * 5 + Math.min(dow, 4);
}

/** Epoch day of a business-day number (always a weekday). */
export function epochDayOfBusinessDay(bday: number): number {
  const week = Math.floor(bday / 5);
  const dow = bday - week * 5;
  return week * 7 + dow - 3;
}

/** A dense business-day grid: row i is business day `start + i`. */
export interface BusinessDayGrid {
  readonly start: number;
  readonly length: number;
}

export function gridDate(grid: BusinessDayGrid, row: number): string {
  return civilFromEpochDay(epochDayOfBusinessDay(grid.start + row));
}
