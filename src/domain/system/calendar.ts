/**
 * Business-day calendar used by the classic system (digest §7: pandas `resample("1B")`).
 *
 * Dates are counted as epoch days (days since 1970-01-01). A business-day number counts
 * Monday..Friday only. A Saturday or Sunday timestamp falls into the Friday bin, as pandas'
 * left-closed `1B` bins do.
 */

/** Days since 1970-01-01 for a proleptic Gregorian civil date (Howard Hinnant's algorithm). */
export function epochDayFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil date of an epoch day, as `YYYY-MM-DD`. */
export function civilFromEpochDay(z: number): string {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;

/** Epoch day of a `YYYY-MM-DD...` timestamp (time of day ignored). NaN when malformed. */
export function epochDayOfTimestamp(s: string): number {
  if (s.length < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return Number.NaN;
  let y = 0;
  for (let i = 0; i < 4; i++) {
    const d = digit(s, i);
    if (d < 0 || d > 9) return Number.NaN;
    y = y * 10 + d;
  }
  const m1 = digit(s, 5);
  const m2 = digit(s, 6);
  const d1 = digit(s, 8);
  const d2 = digit(s, 9);
  if ([m1, m2, d1, d2].some((d) => d < 0 || d > 9)) return Number.NaN;
  const m = m1 * 10 + m2;
  const d = d1 * 10 + d2;
  if (m < 1 || m > 12 || d < 1 || d > 31) return Number.NaN;
  return epochDayFromCivil(y, m, d);
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
