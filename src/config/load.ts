import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { backtestConfigSchema } from './backtest-config.ts';
import { type ConfigFiles, configFiles, type LoadOptions } from './files.ts';
import { natsServers } from '../bus/servers.ts';
import type { z } from 'zod';
import {
  type ControlConfig,
  controlConfigFileSchema,
  controlConfigSchema,
  SECRET_KEYS,
  type SystemConfig,
  systemConfigFileSchema,
  systemConfigSchema,
} from './schema.ts';

/** A configuration error: names the file, the key path and what was expected. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly keyPath: string,
    readonly expected: string,
  ) {
    super(`${file}: key '${keyPath}': ${expected}`);
  }
}

export { defaultConfigDir, defaultPrivateDir, PrivateDirError } from './files.ts';
export type { ConfigFiles, LoadOptions };

/** Keys that only a private file gives (no default). */
const OPTIONAL_KEYS = {
  nats_user: true,
  nats_pass: true,
  nats_token: true,
  nats_creds_file: true,
  nats_nkey_seed_file: true,
  nats_tls_ca_file: true,
  nats_tls_cert_file: true,
  nats_tls_key_file: true,
  mongo_user: true,
  mongo_pass: true,
  broker_account: true,
  offsystem_backup_directory: true,
  email_address: true,
  email_pwd: true,
  email_server: true,
  email_to: true,
  email_port: true,
  quandl_key: true,
  barchart_key: true,
} as const;

const resolvedSystemSchema = systemConfigSchema.partial(OPTIONAL_KEYS);
const resolvedControlSchema = controlConfigSchema.partial({
  process_configuration_host: true,
  arguments: true,
});
export type ResolvedSystemConfig = z.infer<typeof resolvedSystemSchema>;
export type { ControlConfig, SystemConfig };

/** Private values replace these wholesale instead of merging into the defaults (strategy sets). */
const REPLACED_PATHS = new Set([
  'strategy_list',
  'strategy_capital_allocation.strategy_weights',
  'process_configuration_methods.run_systems',
  'process_configuration_methods.run_strategy_order_generator',
]);

export interface LoadedConfig {
  system: ResolvedSystemConfig;
  control: ControlConfig;
  files: ConfigFiles;
  /** Secret values present in the configuration (for log scrubbing). */
  secrets: string[];
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Merge `over` into `base` key by key (recursively), except for the wholesale-replaced paths. */
export function mergeConfig(base: Plain, over: Plain, path = ''): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const p = path ? `${path}.${k}` : k;
    const b = out[k];
    out[k] = isPlain(b) && isPlain(v) && !REPLACED_PATHS.has(p) ? mergeConfig(b, v, p) : v;
  }
  return out;
}

function readYaml(file: string, required: boolean): Plain {
  if (!existsSync(file)) {
    if (required) throw new ConfigError(file, '(file)', 'file not found');
    return {};
  }
  const doc = parseDocument(readFileSync(file, 'utf8'));
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0]?.line;
    throw new ConfigError(
      file,
      '(yaml)',
      `invalid YAML${line ? ` at line ${line}` : ''}: ${first.message.split('\n')[0]}`,
    );
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (!isPlain(value)) throw new ConfigError(file, '(root)', 'expected a mapping of keys to values');
  return value;
}

function describeIssue(issue: z.core.$ZodIssue): { path: string; expected: string } {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '?';
    return { path: path ? `${path}.${key}` : key, expected: 'unknown key (not a systack setting)' };
  }
  if (issue.code === 'invalid_type') {
    return { path: path || '(root)', expected: `expected ${issue.expected}` };
  }
  return { path: path || '(root)', expected: issue.message };
}

function check<T>(schema: z.ZodType<T>, value: unknown, file: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  if (!first) throw new ConfigError(file, '(root)', 'invalid');
  const { path, expected } = describeIssue(first);
  throw new ConfigError(file, path, expected);
}

/** Each strategy's backtest_config against its schema, the error naming the full key path. */
function checkBacktestConfigs(system: ResolvedSystemConfig, file: string): void {
  for (const [name, entry] of Object.entries(system.strategy_list)) {
    const r = backtestConfigSchema.safeParse(entry.backtest_config ?? {});
    const first = r.success ? undefined : r.error.issues[0];
    if (!first) continue;
    const { path, expected } = describeIssue(first);
    throw new ConfigError(file, `strategy_list.${name}.backtest_config.${path}`, expected);
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** An external server not on loopback must be reached over TLS. */
function checkNatsTls(system: ResolvedSystemConfig, files: ConfigFiles): void {
  if (!system.nats_url) return;
  // A cluster is a comma-separated list: every server in it is checked.
  for (const url of natsServers(system.nats_url)) {
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      throw new ConfigError(files.privateConfig, 'nats_url', 'a nats:// or tls:// URL with a host');
    }
    if (LOOPBACK.has(host) || url.startsWith('tls://') || system.nats_tls_ca_file) continue;
    throw new ConfigError(
      files.privateConfig,
      'nats_url',
      `server ${host} is not on loopback: use a tls:// URL or set nats_tls_ca_file (TLS required)`,
    );
  }
}

function crossChecks(system: ResolvedSystemConfig, control: ControlConfig, files: ConfigFiles): void {
  checkNatsTls(system, files);
  if (system.broker === 'ib') {
    if (!system.broker_account) {
      throw new ConfigError(
        files.privateConfig,
        'broker_account',
        "required when broker is 'ib' (IB account id, a string)",
      );
    }
    if (!system.offsystem_backup_directory) {
      throw new ConfigError(
        files.privateConfig,
        'offsystem_backup_directory',
        "required when broker is 'ib' (a directory)",
      );
    }
  }
  const strategies = Object.keys(system.strategy_list);
  for (const name of Object.keys(system.strategy_capital_allocation.strategy_weights ?? {})) {
    if (!strategies.includes(name)) {
      throw new ConfigError(
        files.privateConfig,
        `strategy_capital_allocation.strategy_weights.${name}`,
        'names a strategy that is not in strategy_list',
      );
    }
  }
  const methods = control.process_configuration_methods;
  for (const name of strategies) {
    for (const proc of ['run_systems', 'run_strategy_order_generator']) {
      if (!methods[proc]?.[name]) {
        throw new ConfigError(
          files.privateControl,
          `process_configuration_methods.${proc}.${name}`,
          `required for strategy '${name}' in strategy_list`,
        );
      }
    }
  }
}

/** Load defaults + control config, apply private overrides key by key, validate everything. */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const files = configFiles(opts);
  const defaults = check(systemConfigFileSchema, readYaml(files.defaults, true), files.defaults);
  const priv = check(systemConfigFileSchema, readYaml(files.privateConfig, false), files.privateConfig);
  const controlDefaults = check(controlConfigFileSchema, readYaml(files.control, true), files.control);
  // An overlay between the defaults and the private file (`systack start` uses one for its
  // compressed simulated day); every process of a run gets it through the environment.
  const overlayFile = process.env.SYSTACK_CONTROL_OVERLAY;
  const overlay = overlayFile ? check(controlConfigFileSchema, readYaml(overlayFile, true), overlayFile) : {};
  const privControl = check(
    controlConfigFileSchema,
    readYaml(files.privateControl, false),
    files.privateControl,
  );

  const mergedSystem = mergeConfig(defaults, priv);
  // `--data-dir` (through the environment, so child processes share it) overrides data_dir.
  if (process.env.SYSTACK_DATA_DIR) mergedSystem.data_dir = process.env.SYSTACK_DATA_DIR;
  // A key missing after the merge is missing from the defaults file unless it is private-only.
  const system = check(resolvedSystemSchema, mergedSystem, files.defaults);
  const controlMerged = check(
    resolvedControlSchema,
    mergeConfig(mergeConfig(controlDefaults, overlay), privControl),
    files.control,
  );
  const control: ControlConfig = {
    ...controlMerged,
    process_configuration_host: controlMerged.process_configuration_host ?? {},
    arguments: controlMerged.arguments ?? {},
  };
  checkBacktestConfigs(system, 'strategy_list' in priv ? files.privateConfig : files.defaults);
  crossChecks(system, control, files);
  return { system, control, files, secrets: configSecrets(system) };
}

/** The secret values in a system config: the secret keys' values and any password in nats_url or mongo_host. */
export function configSecrets(system: ResolvedSystemConfig): string[] {
  return [
    ...SECRET_KEYS.map((k) => system[k]),
    urlPassword(system.nats_url),
    urlPassword(system.mongo_host),
  ].filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** The password of a `scheme://user:password@host` URL, if it has one. */
function urlPassword(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const pw = new URL(url).password;
    return pw ? decodeURIComponent(pw) : undefined;
  } catch {
    return undefined; // not a URL: nothing embedded to find
  }
}

const REDACTED = '[redacted]';

/** Replace every occurrence of a secret (and any URL password) in a string. */
function redactString(value: string, secrets: readonly string[]): string {
  let out = value.replace(/(\w+:\/\/[^:/@\s]*:)([^@\s]+)@/g, `$1${REDACTED}@`);
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(REDACTED);
  return out;
}

function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactString(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets));
  if (isPlain(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [redactString(k, secrets), redactDeep(v, secrets)]),
    );
  }
  return value;
}

/**
 * A copy of a value for display with `secrets` (the config's secret values) replaced wherever
 * they appear, whole or embedded in a longer string, and every URL password replaced.
 */
export function redactSecrets(value: unknown, secrets: readonly string[]): unknown {
  return redactDeep(value, secrets);
}

/** A copy of the system config for display: secret keys show [redacted], and so do secret values anywhere else. */
export function redactedConfig(system: ResolvedSystemConfig): Plain {
  const out = redactDeep(system, configSecrets(system)) as Plain;
  for (const k of SECRET_KEYS) if (out[k] !== undefined) out[k] = REDACTED;
  return out;
}
