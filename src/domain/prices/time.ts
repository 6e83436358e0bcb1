/**
 * Timestamps. pysystemtrade's price files hold naive `YYYY-MM-DD HH:MM:SS` stamps (data doc §2);
 * systack keeps them as epoch milliseconds read as UTC, so the text round-trips exactly.
 */
export const MS_PER_DAY = 86_400_000;
/** pysystemtrade's NOTIONAL_CLOSING_TIME: daily bars are stamped 23:00:00. */
export const NOTIONAL_CLOSING_HOUR = 23;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDate(text: string): number | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return undefined;
  const ms = Date.UTC(y, mo - 1, d);
  // reject 2023-02-30 and the like (Date.UTC rolls them over)
  return new Date(ms).getUTCDate() === d ? ms : undefined;
}

function twoDigits(text: string, at: number, max: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  const v = a * 10 + b;
  return v > max ? -1 : v;
}

// price files repeat a date on many consecutive rows: parse each date once
let lastDateText = '';
let lastDateMs = 0;

/** Parse `YYYY-MM-DD HH:MM:SS` (or `YYYY-MM-DD`) as UTC epoch ms; undefined if malformed. */
export function parseNaiveTimestamp(text: string): number | undefined {
  const n = text.length;
  if (n !== 10 && n !== 19) return undefined;
  const dateText = n === 10 ? text : text.slice(0, 10);
  if (dateText !== lastDateText) {
    const ms = parseDate(dateText);
    if (ms === undefined) return undefined;
    lastDateText = dateText;
    lastDateMs = ms;
  }
  if (n === 10) return lastDateMs;
  const sep = text.charCodeAt(10);
  if ((sep !== 32 && sep !== 84) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58)
    return undefined;
  const h = twoDigits(text, 11, 23);
  const mi = twoDigits(text, 14, 59);
  const sec = twoDigits(text, 17, 59);
  if (h < 0 || mi < 0 || sec < 0) return undefined;
  return lastDateMs + h * 3_600_000 + mi * 60_000 + sec * 1000;
}

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
