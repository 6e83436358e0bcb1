/**
 * The status report's "Process status" table (digest §8 Status; the reference's
 * `diagControlProcess.get_process_status_dict`): per process of the control config, its window
 * (start, end, in the config's time zone), `time_to_start` (inside its window now: start ≤ now <
 * end, no wrap past midnight, P4), `time_to_stop` (now > end) and `prev_process` (its previous
 * process has finished in the last day, since its start time today once that has passed, or none
 * is configured, P5). Also when its window next
 * opens and closes, counted from the report's time.
 */
import {
  isItTimeToRun,
  isItTimeToStop,
  minuteOfDay,
  parseTimeOfDay,
  previousDue,
  previousProcessSatisfied,
} from '../process-control/timing.ts';

/** One process of the control config (digest §4 P2): its window, previous process and host. */
export interface ControlConfigLine {
  process: string;
  startTime: string;
  stopTime: string;
  previousProcess?: string;
  host?: string;
}

/** What the table needs of a process's stored record. */
export interface ProcessRunRecord {
  name: string;
  running: boolean;
  lastEnd?: number;
  recentlyCrashed?: boolean;
}

export interface ProcessStatusLine {
  process: string;
  startTime: string;
  stopTime: string;
  /** Inside its window now (P4 `is_it_time_to_run`). */
  timeToStart: boolean;
  /** Past its stop time now (P4 `is_it_time_to_stop`). */
  timeToStop: boolean;
  /** Its previous process has finished in the last day, or it has none (P5). */
  prevProcess: boolean;
  previousProcess?: string;
  /** Minutes until the window next opens; 0 inside it; undefined when it never opens (#640). */
  minutesToStart?: number;
  /** Minutes until the window closes; undefined outside it. */
  minutesToStop?: number;
}

/** Minutes from `m` (minute of the day) to the next `target` minute of the day, today or tomorrow. */
const minutesUntil = (m: number, target: number) => {
  const d = target - m;
  return Math.round(d >= 0 ? d : d + 24 * 60);
};

export function processStatusLines(
  config: { timeZone: string; processes: readonly ControlConfigLine[] },
  records: readonly ProcessRunRecord[],
  now: number,
): ProcessStatusLine[] {
  const byName = new Map(records.map((r) => [r.name, r]));
  const m = minuteOfDay(now, config.timeZone);
  return config.processes.map((p) => {
    const w = { startTime: p.startTime, stopTime: p.stopTime };
    const start = parseTimeOfDay(p.startTime);
    const stop = parseTimeOfDay(p.stopTime);
    const inWindow = isItTimeToRun(now, w, config.timeZone);
    const prev = p.previousProcess === undefined ? undefined : byName.get(p.previousProcess);
    const line: ProcessStatusLine = {
      process: p.process,
      startTime: p.startTime,
      stopTime: p.stopTime,
      timeToStart: inWindow,
      timeToStop: isItTimeToStop(now, w, config.timeZone),
      prevProcess: previousProcessSatisfied(
        p.previousProcess,
        prev && {
          running: prev.running,
          lastEnd: prev.lastEnd,
          crashed: prev.recentlyCrashed,
          due: previousDue(
            config.processes.find((q) => q.process === p.previousProcess)?.startTime,
            config.timeZone,
          ),
        },
        now,
      ),
    };
    if (p.previousProcess !== undefined) line.previousProcess = p.previousProcess;
    if (inWindow) {
      line.minutesToStart = 0;
      line.minutesToStop = minutesUntil(m, stop);
    } else if (start < stop) line.minutesToStart = minutesUntil(m, start);
    return line;
  });
}

/** `5h 09m`, or `never` when undefined. */
export const hoursMinutes = (minutes: number | undefined): string =>
  minutes === undefined ? 'never' : `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
