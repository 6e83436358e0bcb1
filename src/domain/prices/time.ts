/**
 * Timestamps. pysystemtrade's price files hold naive `YYYY-MM-DD HH:MM:SS` stamps (data doc §2);
 * systack keeps them as epoch milliseconds read as UTC, so the text round-trips exactly.
 */
export const MS_PER_DAY = 86_400_000;
/** pysystemtrade's NOTIONAL_CLOSING_TIME: daily bars are stamped 23:00:00. */
export const NOTIONAL_CLOSING_HOUR = 23;

function digits(text: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

// price files repeat a date on many consecutive rows: validate each date once. The date is
// read from char codes (no substring) as this runs once per row of every price file.
let lastDateKey = -1;
let lastDateMs = 0;

function dateMs(text: string, at: number): number | undefined {
  if (text.charCodeAt(at + 4) !== 45 || text.charCodeAt(at + 7) !== 45) return undefined;
  const y = digits(text, at, 4);
  const mo = digits(text, at + 5, 2);
  const d = digits(text, at + 8, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const key = y * 10_000 + mo * 100 + d;
  if (key === lastDateKey) return lastDateMs;
  const ms = Date.UTC(y, mo - 1, d);
  // reject 2023-02-30 and the like (Date.UTC rolls them over)
  if (new Date(ms).getUTCDate() !== d) return undefined;
  lastDateKey = key;
  lastDateMs = ms;
  return ms;
}

/**
 * Parse the `YYYY-MM-DD HH:MM:SS` (or `YYYY-MM-DD`) held in `text` from `start` to `end` as UTC
 * epoch ms; undefined if malformed. Offsets let a CSV reader parse a cell without cutting it out.
 */
export function parseNaiveTimestampAt(text: string, start: number, end: number): number | undefined {
  const n = end - start;
  if (n !== 10 && n !== 19) return undefined;
  const day = dateMs(text, start);
  if (day === undefined || n === 10) return day;
  const sep = text.charCodeAt(start + 10);
  if ((sep !== 32 && sep !== 84) || text.charCodeAt(start + 13) !== 58 || text.charCodeAt(start + 16) !== 58)
    return undefined;
  const h = digits(text, start + 11, 2);
  const mi = digits(text, start + 14, 2);
  const sec = digits(text, start + 17, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return undefined;
  return day + h * 3_600_000 + mi * 60_000 + sec * 1000;
}

/** Parse `YYYY-MM-DD HH:MM:SS` (or `YYYY-MM-DD`) as UTC epoch ms; undefined if malformed. */
export const parseNaiveTimestamp = (text: string): number | undefined =>
  parseNaiveTimestampAt(text, 0, text.length);

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Format epoch ms as pysystemtrade's `YYYY-MM-DD HH:MM:SS`. */
export function formatNaiveTimestamp(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

/** The notional closing time (23:00:00 UTC) of the day containing `ms`. */
export function closingTimeOfDay(ms: number): number {
  return Math.floor(ms / MS_PER_DAY) * MS_PER_DAY + NOTIONAL_CLOSING_HOUR * 3_600_000;
}
