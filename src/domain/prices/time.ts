/**
 * Timestamps. pysystemtrade's price files hold naive `YYYY-MM-DD HH:MM:SS` stamps (data doc §2);
 * systack keeps them as epoch milliseconds read as UTC, so the text round-trips exactly.
 */
const STAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?$/;

export const MS_PER_DAY = 86_400_000;
/** pysystemtrade's NOTIONAL_CLOSING_TIME: daily bars are stamped 23:00:00. */
export const NOTIONAL_CLOSING_HOUR = 23;

/** Parse `YYYY-MM-DD HH:MM:SS` (or `YYYY-MM-DD`) as UTC epoch ms; undefined if malformed. */
export function parseNaiveTimestamp(text: string): number | undefined {
  const m = STAMP.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // reject 2023-02-30 and the like (Date.UTC rolls them over)
  if (new Date(ms).getUTCDate() !== d) return undefined;
  return ms;
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
