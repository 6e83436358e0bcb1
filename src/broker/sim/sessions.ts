/**
 * When a simulated instrument trades: weekly sessions (UTC) in the day-by-day form of
 * pysystemtrade's trading-hours config, minus holidays. Pure: every answer depends only on the
 * hours, the holidays and the time asked about.
 */

export const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export const WEEKDAYS = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Minutes after 00:00 UTC, [open, close), close up to 24·60. */
export type SessionMinutes = [number, number];

export interface WeeklyHours {
  /** Sessions per weekday; a weekday with none does not trade. */
  days: Partial<Record<Weekday, SessionMinutes[]>>;
  /** Minute of the daily close (the daily bar's price); a date has a close when it trades just before. */
  dailyClose: number;
}

export interface Session {
  open: number;
  close: number;
}

const isoDate = (day: number): string => new Date(day).toISOString().slice(0, 10);

export class TradingCalendar {
  constructor(
    readonly hours: WeeklyHours,
    readonly holidays: ReadonlySet<string>,
  ) {}

  private holiday(day: number): boolean {
    return this.holidays.has(isoDate(day));
  }

  /** The sessions on the UTC date starting at `day` (00:00), holidays removed. */
  sessionsOn(day: number): Session[] {
    if (this.holiday(day)) return [];
    const weekday = WEEKDAYS[new Date(day).getUTCDay()] as Weekday;
    const next = this.holiday(day + DAY_MS);
    return (this.hours.days[weekday] ?? [])
      .filter(([, close]) => !(next && close === 24 * 60)) // the evening running into a holiday
      .map(([open, close]) => ({ open: day + open * 60_000, close: day + close * 60_000 }));
  }

  isOpen(t: number): boolean {
    const day = Math.floor(t / DAY_MS) * DAY_MS;
    return this.sessionsOn(day).some((s) => s.open <= t && t < s.close);
  }

  /** Sessions of the dates around `t`, sessions that touch merged (22:00–24:00 + 00:00–21:00). */
  sessionsAround(t: number, daysBefore = 1, daysAfter = 2): Session[] {
    const day = Math.floor(t / DAY_MS) * DAY_MS;
    const out: Session[] = [];
    for (let d = day - daysBefore * DAY_MS; d <= day + daysAfter * DAY_MS; d += DAY_MS) {
      for (const s of this.sessionsOn(d)) {
        const last = out[out.length - 1];
        if (last && last.close === s.open) last.close = s.close;
        else out.push({ ...s });
      }
    }
    return out;
  }

  /** The daily close of the UTC date at `day`, if the market trades up to it that day. */
  closeOn(day: number): number | undefined {
    const close = day + this.hours.dailyClose * 60_000;
    return this.sessionsOn(day).some((s) => s.open < close && close <= s.close) ? close : undefined;
  }

  /** The last daily close at or before `t` (searching back up to `maxDays`). */
  lastClose(t: number, maxDays = 30): number | undefined {
    const day = Math.floor(t / DAY_MS) * DAY_MS;
    for (let d = day; d >= day - maxDays * DAY_MS; d -= DAY_MS) {
      const c = this.closeOn(d);
      if (c !== undefined && c <= t) return c;
    }
    return undefined;
  }

  /** Daily closes in (from, to]. */
  closesBetween(from: number, to: number): number[] {
    const out: number[] = [];
    for (let d = Math.floor(from / DAY_MS) * DAY_MS; d <= to; d += DAY_MS) {
      const c = this.closeOn(d);
      if (c !== undefined && c > from && c <= to) out.push(c);
    }
    return out;
  }
}

/** Always open, a close at 23:00 UTC every day: the sim broker's market without a calendar. */
export const ALWAYS_OPEN = new TradingCalendar(
  {
    days: Object.fromEntries(WEEKDAYS.map((d) => [d, [[0, 24 * 60]] as SessionMinutes[]])),
    dailyClose: 24 * 60,
  },
  new Set(),
);
