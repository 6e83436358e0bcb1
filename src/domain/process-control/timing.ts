/**
 * Pure timing rules of process control (digest §4 P4, P5). Time arrives as epoch ms; the
 * time of day is read in the configured zone ("local time" in the reference).
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function parts(epochMs: number, timeZone: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) out[p.type] = p.value;
  return out;
}

/** "HH:MM" → minutes after midnight. */
export function parseTimeOfDay(hhmm: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new Error(`time of day must be "HH:MM", got '${hhmm}'`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) throw new Error(`time of day out of range: '${hhmm}'`);
  return h * 60 + min;
}

/** Minutes after local midnight, with fractions (seconds count). */
export function minuteOfDay(epochMs: number, timeZone: string): number {
  const p = parts(epochMs, timeZone);
  return Number(p.hour) * 60 + Number(p.minute) + Number(p.second) / 60;
}

/** Local calendar date "YYYY-MM-DD". */
export function localDate(epochMs: number, timeZone: string): string {
  const p = parts(epochMs, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

export interface Window {
  startTime: string;
  stopTime: string;
}

/**
 * P4 `is_it_time_to_run`: start ≤ now < stop on the local time of day. No wrap past midnight:
 * a window whose start is after its stop never opens (#640).
 */
export function isItTimeToRun(now: number, w: Window, timeZone: string): boolean {
  const m = minuteOfDay(now, timeZone);
  return parseTimeOfDay(w.startTime) <= m && m < parseTimeOfDay(w.stopTime);
}

/** P4 `is_it_time_to_stop`: now > stop. */
export function isItTimeToStop(now: number, w: Window, timeZone: string): boolean {
  return minuteOfDay(now, timeZone) > parseTimeOfDay(w.stopTime);
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface PreviousProcessRecord {
  running: boolean;
  lastEnd: number | undefined;
  /** Its last run crashed (and was marked finished by dead-process detection). */
  crashed?: boolean;
  /**
   * Its configured start time and the zone it is read in: once that has passed today, today's
   * run of it is due and only an end since then counts.
   */
  due?: { startTime: string; timeZone: string };
}

/** `due` of a previous process from its configured start time (none when it is not configured). */
export function previousDue(
  startTime: string | undefined,
  timeZone: string,
): PreviousProcessRecord['due'] | undefined {
  return startTime === undefined ? undefined : { startTime, timeZone };
}

/**
 * When the previous process's run of today became due: today's start time, once it has passed
 * (undefined before it, or when no start time is given).
 */
export function previousRunDueSince(now: number, due: PreviousProcessRecord['due']): number | undefined {
  if (due === undefined) return undefined;
  const sinceStart = minuteOfDay(now, due.timeZone) - parseTimeOfDay(due.startTime);
  // minuteOfDay counts whole seconds: today's start is exact to the millisecond
  return sinceStart < 0 ? undefined : Math.floor(now / 1000) * 1000 - Math.round(sinceStart * 60_000);
}

/**
 * P5: satisfied when no previous process is configured, or when it is not running and its
 * last end is within the last 24 hours. Deliberate changes:
 * - a previous run that crashed does not count (the reference's dead-process sweep sets
 *   last_end, so run_systems would run on stale prices after run_daily_prices_updates died);
 *   `systack control finish` clears the crashed flag when a person decides the dependants may
 *   go ahead;
 * - once the previous process's start time has passed today (`due`), yesterday's end no longer
 *   counts: only an end since today's start time does. The reference's order generator waits
 *   for the same day's run_systems only because run_systems is running by then; a run_systems
 *   still waiting for its own previous process holds no lease, and the 24 h rule alone let the
 *   generator start on yesterday's finish and take the strategy run_systems then needed.
 */
export function previousProcessSatisfied(
  previousProcess: string | undefined,
  record: PreviousProcessRecord | undefined,
  now: number,
): boolean {
  if (previousProcess === undefined) return true;
  if (!record || record.running || record.crashed || record.lastEnd === undefined) return false;
  if (now - record.lastEnd > DAY_MS || record.lastEnd > now) return false;
  const dueSince = previousRunDueSince(now, record.due);
  return dueSince === undefined || record.lastEnd >= dueSince;
}
