/**
 * Process control configuration (digest §4 P2, P3; production doc "Process configuration").
 *
 * The raw shape is the reference's YAML: `process_configuration_start_time`,
 * `process_configuration_stop_time`, `process_configuration_previous_process` and
 * `process_configuration_methods`, each keyed by process name with an optional `default`.
 * systack adds `process_configuration_host` (machine assignment) and `process_restart_policy`.
 */
import { z } from 'zod';

import { PROCESS_STATUSES, type ProcessStatus } from './statuses.ts';
export { PROCESS_STATUSES, type ProcessStatus };

/** The run_* processes the supervisor launches (production doc "Run processes"). */
export const RUN_PROCESSES = [
  'run_stack_handler',
  'run_capital_update',
  'run_daily_prices_updates',
  'run_systems',
  'run_strategy_order_generator',
  'run_reports',
  'run_backups',
  'run_cleaners',
] as const;

export interface MethodConfig {
  name: string;
  /** Minutes between runs. P3: defaults to 60 when missing (the code, not the doc's 0). */
  frequencyMinutes: number;
  /** P3: defaults to 1; -1 means unlimited. */
  maxExecutions: number;
  runOnCompletionOnly: boolean;
  /** Minutes between "still alive" heartbeats of an idle method. P3: default 10. */
  heartbeatMinutes: number;
  /** Extra keys (e.g. `object`, `backtest_config_filename` for strategies, P12). */
  extra: Record<string, unknown>;
}

export type RestartMode = 'never' | 'on-crash';
export interface RestartPolicy {
  mode: RestartMode;
  /** Restarts allowed per process per day after a crash. */
  maxRestarts: number;
}

export interface ProcessConfig {
  name: string;
  /** "HH:MM" local time of day; P2 default 00:01. */
  startTime: string;
  /** "HH:MM"; P2 default 23:50. */
  stopTime: string;
  previousProcess: string | undefined;
  methods: MethodConfig[];
  /** Only this host may run the process; undefined means any host. */
  host: string | undefined;
  restart: RestartPolicy;
  /** Method keyword arguments (`arguments` key, P2), by method name or `_methods_on_completion`. */
  arguments: Record<string, Record<string, unknown>>;
}

export interface ControlConfig {
  /** IANA time zone for start / stop times ("local time" in the reference). */
  timeZone: string;
  processes: Record<string, ProcessConfig>;
}

export const DEFAULT_START_TIME = '00:01';
export const DEFAULT_STOP_TIME = '23:50';
export const DEFAULT_FREQUENCY_MINUTES = 60;
export const DEFAULT_MAX_EXECUTIONS = 1;
export const DEFAULT_HEARTBEAT_MINUTES = 10;
export const DEFAULT_RESTART_POLICY: RestartPolicy = { mode: 'never', maxRestarts: 0 };

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be "HH:MM" (24 hour)');
const perProcess = <T extends z.ZodType>(t: T) => z.record(z.string(), t).optional();

const methodSchema = z
  .object({
    frequency: z.number().min(0).optional(),
    max_executions: z.number().int().min(-1).optional(),
    run_on_completion_only: z.boolean().optional(),
    heartbeat: z.number().min(0).optional(),
  })
  .catchall(z.unknown())
  .nullable();

// `on_crash` is the config file's spelling; `on-crash` is accepted too.
const restartSchema = z.union([
  z.enum(['never', 'on-crash', 'on_crash']),
  z.object({
    policy: z.enum(['never', 'on-crash', 'on_crash']),
    max_restarts: z.number().int().min(0).optional(),
  }),
]);

export const rawControlConfigSchema = z
  .object({
    time_zone: z.string().optional(),
    process_configuration_start_time: perProcess(HHMM),
    process_configuration_stop_time: perProcess(HHMM),
    process_configuration_previous_process: perProcess(z.string().nullable()),
    process_configuration_methods: perProcess(z.record(z.string(), methodSchema).nullable()),
    process_configuration_host: perProcess(z.string().nullable()),
    process_restart_policy: perProcess(restartSchema),
    /** `{process: {method: kwargs, _methods_on_completion: kwargs}}` (P2). */
    arguments: perProcess(z.record(z.string(), z.record(z.string(), z.unknown()))),
  })
  .passthrough();
export type RawControlConfig = z.input<typeof rawControlConfigSchema>;

function pick<T>(map: Record<string, T> | undefined, name: string): T | undefined {
  if (!map) return undefined;
  return name in map ? map[name] : map.default;
}

function restartOf(raw: z.infer<typeof restartSchema> | undefined): RestartPolicy {
  if (raw === undefined || raw === 'never') return DEFAULT_RESTART_POLICY;
  if (typeof raw === 'string') return { mode: 'on-crash', maxRestarts: 3 };
  if (raw.policy === 'never') return DEFAULT_RESTART_POLICY;
  return { mode: 'on-crash', maxRestarts: raw.max_restarts ?? 3 };
}

function methodsOf(raw: Record<string, z.infer<typeof methodSchema>> | null | undefined): MethodConfig[] {
  return Object.entries(raw ?? {}).map(([name, m]) => {
    const { frequency, max_executions, run_on_completion_only, heartbeat, ...extra } = m ?? {};
    return {
      name,
      frequencyMinutes: frequency ?? DEFAULT_FREQUENCY_MINUTES,
      maxExecutions: max_executions ?? DEFAULT_MAX_EXECUTIONS,
      runOnCompletionOnly: run_on_completion_only ?? false,
      heartbeatMinutes: heartbeat ?? DEFAULT_HEARTBEAT_MINUTES,
      extra,
    };
  });
}

/** Validate a raw control config and resolve every process's settings (defaults filled in). */
export function resolveControlConfig(
  raw: unknown,
  opts: { defaultTimeZone?: string; processes?: readonly string[] } = {},
): ControlConfig {
  const parsed = rawControlConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`control config: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const c = parsed.data;
  const names = new Set<string>(opts.processes ?? RUN_PROCESSES);
  for (const key of [
    c.process_configuration_start_time,
    c.process_configuration_stop_time,
    c.process_configuration_methods,
    c.process_configuration_previous_process,
  ]) {
    for (const n of Object.keys(key ?? {})) if (n !== 'default') names.add(n);
  }
  const processes: Record<string, ProcessConfig> = {};
  for (const name of names) {
    const previous = c.process_configuration_previous_process?.[name] ?? undefined;
    if (previous !== undefined && previous === name) {
      throw new Error(`control config: ${name} cannot be its own previous process`);
    }
    processes[name] = {
      name,
      startTime: pick(c.process_configuration_start_time, name) ?? DEFAULT_START_TIME,
      stopTime: pick(c.process_configuration_stop_time, name) ?? DEFAULT_STOP_TIME,
      // P2: no default previous process; only an explicit entry creates a dependency.
      previousProcess: previous ?? undefined,
      methods: methodsOf(c.process_configuration_methods?.[name]),
      host: pick(c.process_configuration_host, name) ?? undefined,
      restart: restartOf(pick(c.process_restart_policy, name)),
      arguments: c.arguments?.[name] ?? {},
    };
  }
  const timeZone = c.time_zone ?? opts.defaultTimeZone ?? 'UTC';
  assertTimeZone(timeZone);
  return { timeZone, processes };
}

export function assertTimeZone(tz: string): void {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
  } catch {
    throw new Error(`control config: unknown time zone '${tz}'`);
  }
}
