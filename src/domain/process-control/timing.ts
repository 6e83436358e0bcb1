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
}

/**
 * P5: satisfied when no previous process is configured, or when it is not running and its
 * last end is within the last 24 hours. Deliberate change: a previous run that crashed does
 * not count (the reference's dead-process sweep sets last_end, so run_systems would run on
 * stale prices after run_daily_prices_updates died); `systack control finish` clears the
 * crashed flag when a person decides the dependants may go ahead.
 */
export function previousProcessSatisfied(
  previousProcess: string | undefined,
  record: PreviousProcessRecord | undefined,
  now: number,
): boolean {
  if (previousProcess === undefined) return true;
  if (!record || record.running || record.crashed || record.lastEnd === undefined) return false;
  return now - record.lastEnd <= DAY_MS && record.lastEnd <= now;
}
