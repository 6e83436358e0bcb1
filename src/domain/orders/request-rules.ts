/**
 * What makes an order, lock or control request meaningless (issue 10 §8), as pure rules the
 * service edge applies before anything is written: reserved names, contract dates that are not
 * real months, quantities that are not safe integers or would take a position beyond its limit.
 */

/**
 * Names that are properties of every JavaScript object (`__proto__`, `constructor`, `toString`,
 * `valueOf`, `hasOwnProperty`, ...): as an instrument or strategy name they would collide with
 * object keys, so they are refused everywhere a name is taken.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  ...Object.getOwnPropertyNames(Function.prototype),
  'prototype',
]);

export function isReservedName(name: string): boolean {
  return RESERVED_NAMES.has(name);
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Why a contract date is not a real month, or undefined when it is: `YYYYMM`, `YYYYMM00`
 * (pysystemtrade's month id) or `YYYYMMDD` with a day that exists in that month.
 */
export function contractDateProblem(s: string): string | undefined {
  if (!/^\d{6}(\d{2})?$/.test(s)) return 'must be YYYYMM or YYYYMMDD';
  const year = Number(s.slice(0, 4));
  const month = Number(s.slice(4, 6));
  if (year < 1900 || year > 2200) return `year ${year} is out of range`;
  if (month < 1 || month > 12) return `month ${s.slice(4, 6)} is not a month`;
  if (s.length === 8) {
    const day = Number(s.slice(6, 8));
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const days = month === 2 && !leap ? 28 : (DAYS_IN_MONTH[month - 1] ?? 31);
    if (day > days) return `day ${s.slice(6, 8)} is not a day of ${s.slice(0, 6)}`;
  }
  return undefined;
}

export interface PositionLimitCheck {
  /** The position the limit applies to before the trade (strategy or instrument position). */
  position: number;
  /** Abs position limit; undefined for "no limit". */
  limit: number | undefined;
  /** The request's signed quantity. */
  qty: number;
  /** What the limit is, for the message (e.g. "instrument SOFR"). */
  what: string;
}

/**
 * Why a quantity is beyond a position limit, or undefined: a trade may end within ±limit, or move
 * a position that is already beyond it towards zero; anything else could never be executed as
 * asked (the order generator applies the limits the same way, digest B4).
 */
export function positionLimitProblem(c: PositionLimitCheck): string | undefined {
  if (c.limit === undefined || c.qty === 0) return undefined;
  const after = c.position + c.qty;
  const limit = Math.abs(c.limit);
  const reducing = after * c.position >= 0 && Math.abs(after) < Math.abs(c.position);
  if (Math.abs(after) <= limit || reducing) return undefined;
  return `qty ${c.qty} would take the ${c.what} position from ${c.position} to ${after}, beyond its position limit ${limit}`;
}
