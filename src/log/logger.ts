import { createRequire } from 'node:module';
import type Pino from 'pino';
import type { DestinationStream, Logger as PinoLogger, StreamEntry } from 'pino';
import { type Clock, wallClock } from '../clock.ts';
import { SECRET_KEYS } from '../config/secret-keys.ts';
import { normaliseLine } from './normalise.ts';

/**
 * Logging, as the reference's log attributes: one root logger per process, child loggers bound
 * with the attributes below. Lines are JSON (pino) on stdout and, once shipping is attached, in
 * a JetStream stream. A `critical` level (55, between error and fatal) also calls the
 * notification hook (the process entry attaches email alerts: src/email/alerts.ts). No secret value from config ever reaches a line: secret keys
 * are redacted by path and every secret value is scrubbed from the serialised line. Every line's
 * keys are normalised to snake_case, each once (normalise.ts), and its `time` is read from the
 * process's clock (`setLogClock`: the simulated clock in a simulation), as an ISO string.
 */
export const LOG_ATTRIBUTES = [
  'type',
  'component',
  'stage',
  'strategy_name',
  'instrument_code',
  'contract_date',
  'currency_code',
  'instrument_order_id',
  'contract_order_id',
  'broker_order_id',
] as const;
export type LogAttribute = (typeof LOG_ATTRIBUTES)[number];
export type LogAttributes = Partial<Record<LogAttribute, string | number>>;

export const LEVELS = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  critical: 55,
  fatal: 60,
} as const;
export type LevelName = keyof typeof LEVELS;
export type Logger = PinoLogger<'critical'>;

export interface CriticalNotice {
  process: string;
  msg: string;
  fields: Record<string, unknown>;
}
export type CriticalNotifier = (notice: CriticalNotice) => void;

export interface RootLoggerOptions {
  processName: string;
  level?: LevelName;
  /** Secret values (from config) to scrub from every line. */
  secrets?: string[];
  /** Where lines go besides any attached shipper; default stdout. */
  destination?: DestinationStream;
  onCritical?: CriticalNotifier;
}

export interface RootLogger {
  log: Logger;
  /** Add another destination (e.g. JetStream shipping) for every later line. */
  addDestination(dest: DestinationStream): void;
  setCriticalNotifier(fn: CriticalNotifier): void;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Build a function that replaces every secret value (raw or JSON-escaped) with [redacted]. */
export function secretScrubber(secrets: string[]): (line: string) => string {
  const values = [...new Set(secrets.filter((s) => s.length >= 3))];
  const forms = values.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]);
  if (forms.length === 0) return (line) => line;
  const re = new RegExp(
    [...new Set(forms)]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  return (line) => line.replace(re, '[redacted]');
}

let logClock: Clock = wallClock;

/** Stamp every later log line of this process with this clock's time (injected at start). */
export function setLogClock(clock: Clock): void {
  logClock = clock;
}

const clockTime = (): string => `,"time":"${new Date(logClock.now()).toISOString()}"`;

/**
 * pino, loaded (synchronously: it is CommonJS) when the first logger is built, so a command
 * that logs nothing (a NATS query) does not load it.
 */
const loadPino = (): typeof Pino => createRequire(import.meta.url)('pino') as typeof Pino;

export function createRootLogger(opts: RootLoggerOptions): RootLogger {
  const pino = loadPino();
  const scrubSecrets = secretScrubber(opts.secrets ?? []);
  const scrub = (line: string): string => scrubSecrets(normaliseLine(line));
  const streams: StreamEntry[] = [{ level: 'trace', stream: opts.destination ?? process.stdout }];
  const multi = pino.multistream(streams, { levels: { ...pino.levels.values, critical: 55 } });
  let notifier: CriticalNotifier =
    opts.onCritical ??
    ((n) => {
      // No email sender attached (a process without a bus): logged, so it is never silent.
      log.info(
        { component: 'notifier', notification: n.msg, notified_process: n.process },
        'critical notification',
      );
    });
  const redactPaths = SECRET_KEYS.flatMap((k) => [k, `*.${k}`]);
  const log: Logger = pino<'critical'>(
    {
      level: opts.level ?? 'info',
      customLevels: { critical: 55 },
      base: { process: opts.processName, pid: process.pid },
      timestamp: clockTime,
      formatters: { level: (label, number) => ({ level: number, level_name: label }) },
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
      hooks: {
        streamWrite: scrub,
        logMethod(args, method, level) {
          if (level === 55) {
            const [first, second] = args as unknown[];
            const fields =
              first !== null && typeof first === 'object' ? { ...(first as Record<string, unknown>) } : {};
            const msg = typeof first === 'string' ? first : typeof second === 'string' ? second : 'critical';
            method.apply(this, args);
            notifier({ process: opts.processName, msg: scrubSecrets(msg), fields });
            return;
          }
          method.apply(this, args);
        },
      },
    },
    multi,
  );
  return {
    log,
    addDestination(dest) {
      multi.add({ level: 'trace', stream: dest });
    },
    setCriticalNotifier(fn) {
      notifier = fn;
    },
  };
}

/**
 * A root logger built by `make` on first use (its `log`, a destination or a notifier), so a
 * command that never logs never builds one (nor loads pino).
 */
export function lazyRootLogger(make: () => RootLogger): RootLogger {
  let built: RootLogger | undefined;
  const get = (): RootLogger => (built ??= make());
  return {
    get log() {
      return get().log;
    },
    addDestination: (dest) => get().addDestination(dest),
    setCriticalNotifier: (fn) => get().setCriticalNotifier(fn),
  };
}

let root: RootLogger | undefined;

/** Install the process's root logger (once, at start). */
export function setRootLogger(r: RootLogger): void {
  root = r;
}

/** The process's root logger; a plain stdout one until `setRootLogger` is called. */
export function getLogger(): Logger {
  root ??= createRootLogger({
    processName: 'systack',
    level: (process.env.SYSTACK_LOG_LEVEL as LevelName) ?? 'info',
  });
  return root.log;
}

export function getRootLogger(): RootLogger {
  getLogger();
  return root as RootLogger;
}

/** A child logger bound with the reference's log attributes. */
export function childLogger(attrs: LogAttributes, parent: Logger = getLogger()): Logger {
  return parent.child(attrs);
}

/** Log at critical level (which also notifies). */
export function logCritical(log: Logger, msg: string, fields: Record<string, unknown> = {}): void {
  log.critical(fields, msg);
}
