import { z } from 'zod';
import { ROLL_STATES } from '../domain/rolls/roll-state.ts';
import { SECRET_KEYS } from './secret-keys.ts';

/**
 * The schema of systack's system configuration (config/defaults.yaml overridden key by key by
 * private/private_config.yaml). Every object is strict: an unknown key is an error.
 * Fields are optional here because each file supplies only some keys; `required.ts` checks what
 * must be present after merging.
 */

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM');
const positiveInt = z.number().int().positive();
const portNumber = z.number().int().min(0).max(65535);

/** One instrument code or a list of them (the reference accepts both). */
const instrumentList = z.union([z.string(), z.array(z.string())]);

const strategyEntry = z.strictObject({
  load_backtests: z.strictObject({ object: z.string(), function: z.string().optional() }).optional(),
  reporting_code: z.strictObject({ function: z.string() }).optional(),
  /** Seed journal's allowance method: a fixed starting amount; the strategy keeps its own P&L. */
  allowance: z.number().positive().optional(),
  backtest_config: z.record(z.string(), z.unknown()).optional(),
});

export const systemConfigSchema = z.strictObject({
  data_dir: z.string().min(1),
  sample_data_dir: z.string().min(1),

  nats_url: z
    .string()
    .regex(/^(nats|tls):\/\//, 'a nats:// or tls:// URL')
    .nullable(),
  nats_port: portNumber,
  nats_user: z.string(),
  nats_pass: z.string(),
  nats_token: z.string(),
  /** External server: a NATS `.creds` file, or a file with a user nkey seed. */
  nats_creds_file: z.string().min(1),
  nats_nkey_seed_file: z.string().min(1),
  /**
   * External server or cluster whose users are systack's generated roles: the directory of the
   * role files (`<role>.json`); each process then connects as its own role. Null: nats_* keys.
   */
  nats_credentials_dir: z.string().min(1).nullable(),
  /** External server: TLS CA, client certificate and key (PEM files). */
  nats_tls_ca_file: z.string().min(1),
  nats_tls_cert_file: z.string().min(1),
  nats_tls_key_file: z.string().min(1),
  /** JetStream replicas of every stream, KV bucket and object store (3 on a 3-node cluster). */
  jetstream_replicas: z.number().int().min(1).max(5),
  /** Hot standby: a supervisor whose leader key a standby has seen unrenewed this long (real ms) is gone. */
  supervisor_lease_stale_ms: z.number().int().min(1000),
  /** A process whose lease the supervisor has seen unrenewed this long (real ms) is dead (renewed every third). */
  process_lease_stale_ms: z.number().int().min(3000),
  /** The stack handler retries an order journal write that fails (bus restarting, store full) this long (real ms) before it stops. */
  journal_write_retry_ms: z.number().int().min(0),
  /** Embedded server: restarts after it dies before the supervisor stops everything. */
  nats_restart_limit: z.number().int().min(0),
  /** Per process name: the NATS URL the supervisor gives that process instead of its own. */
  nats_process_urls: z.record(z.string(), z.string().regex(/^(nats|tls):\/\//, 'a nats:// or tls:// URL')),
  subject_prefix: z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ or -'),

  storage_backend: z.enum(['jetstream', 'mongodb']),
  /** A host name or address, or a whole `mongodb://` / `mongodb+srv://` URL (the reference's form). */
  mongo_host: z
    .string()
    .min(1)
    .regex(/^(mongodb(\+srv)?:\/\/\S+|[A-Za-z0-9._:-]+)$/, 'a host name, an address, or a mongodb:// URL'),
  mongo_port: portNumber,
  /** MongoDB database name: no `/\. "$` and at most 63 characters. */
  mongo_db: z
    .string()
    .regex(/^[^/\\. "$]{1,63}$/, 'a MongoDB database name (1-63 characters, none of / \\ . space " $)'),
  mongo_user: z.string(),
  mongo_pass: z.string(),

  broker: z.enum(['sim', 'ib']),
  broker_account: z.string().min(1),
  ib_ipaddress: z.string(),
  ib_port: portNumber,
  ib_idoffset: z.number().int().min(0),
  /** Directory of ib_config_futures.csv and ib_config_spot_FX.csv (pysystemtrade's IB config). */
  ib_config_dir: z.string().min(1),
  sim_seed: z.number().int(),
  sim_latency_ms: z.number().min(0),
  /** Faults injected at the simulated broker's wire (the chaos suite, docs/chaos.md); null: none. */
  sim_broker_chaos: z
    .strictObject({
      seed: z.number().int(),
      duplicate: z.number().min(0).max(1),
      delay: z.number().min(0).max(1),
      delay_ms: z.number().int().min(0),
      disconnect_every_ms: z.number().int().min(0),
      disconnect_ms: z.number().int().min(0),
    })
    .nullable(),

  max_price_spike: z.number().positive(),
  intraday_frequency: z.enum(['H', '5M', '1M', 'D']),
  ignore_future_prices: z.boolean(),
  ignore_prices_with_zero_volumes_intraday: z.boolean(),
  ignore_prices_with_zero_volumes_daily: z.boolean(),
  ignore_zero_prices: z.boolean(),
  ignore_negative_prices: z.boolean(),

  production_capital_method: z.enum(['full', 'half', 'fixed']),
  base_currency: z.string().regex(/^[A-Z]{3}$/, 'a three-letter currency code'),
  capital_max_change: z.number().positive(),
  /** Largest |qty| one order request may ask for where no position limit is set (issue 10 §8). */
  max_order_qty: z.number().int().positive(),

  /** The roll tool's auto-suggest rule (digest §3.4, `systack roll --auto` and the suggestions). */
  roll_status_auto_update: z.strictObject({
    auto_roll_if_relative_volume_higher_than: z.number().min(0),
    min_relative_volume: z.number().min(0),
    min_absolute_volume: z.number().min(0),
    near_expiry_days: z.number().min(0),
    default_roll_state_if_undecided: z.enum([...ROLL_STATES, 'Ask']),
    auto_roll_expired: z.boolean(),
  }),

  /** Algo allocation (digest C6 `execution_algos`): an instrument listed here always uses that algo. */
  execution_algos: z.strictObject({
    algo_overrides: z.record(z.string(), z.enum(['market', 'best', 'limit'])),
  }),

  strategy_list: z.record(z.string(), strategyEntry),
  strategy_capital_allocation: z.strictObject({
    function: z.enum(['weighted_strategy_allocation', 'allowance_strategy_allocation']),
    strategy_weights: z.record(z.string(), z.number().min(0)).optional(),
  }),

  /**
   * Duplicate markets (the reference's `duplicate_instruments`): per group, the market(s)
   * traded and the ones left out. Read by duplicate_markets_report; the strategy order
   * generator makes the excluded ones reduce-only (digest B3).
   */
  duplicate_instruments: z.strictObject({
    include: z.record(z.string(), instrumentList),
    exclude: z.record(z.string(), instrumentList),
  }),
  /**
   * The reference's `exclude_instrument_lists`. The strategy order generator turns them into
   * config overrides (digest B3: bad_markets and ignore_instruments reduce-only,
   * trading_restrictions no-trading); remove_markets_report reads bad_markets as the markets
   * already removed and leaves ignore_instruments out of its tables.
   */
  exclude_instrument_lists: z.strictObject({
    ignore_instruments: z.array(z.string()),
    trading_restrictions: z.array(z.string()),
    bad_markets: z.array(z.string()),
  }),
  /** The reference's `stale_instruments`: left out of remove_markets_report's judgement. */
  stale_instruments: z.array(z.string()),

  backtest_store_directory: z.string(),
  csv_backup_directory: z.string(),
  mongo_dump_directory: z.string(),
  echo_directory: z.string(),
  echo_extension: z.string(),
  echo_retention_days: positiveInt,
  offsystem_backup_directory: z.string().min(1),
  backup_retention_days: positiveInt,

  log_level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'critical', 'fatal']),
  log_retention_days: positiveInt,

  monitor_host: z.string(),
  monitor_port: portNumber,

  email_address: z.string().email(),
  email_pwd: z.string(),
  email_server: z.string(),
  email_to: z.string().email(),
  email_port: portNumber,
  quandl_key: z.string(),
  barchart_key: z.string(),
});

export type SystemConfig = z.infer<typeof systemConfigSchema>;
/** What one file may contain: any subset of the keys. */
export const systemConfigFileSchema = systemConfigSchema.partial();

const methodConfig = z
  .object({
    frequency: z.number().min(0).optional(),
    max_executions: z.number().int().min(-1).optional(),
    run_on_completion_only: z.boolean().optional(),
  })
  // run_systems / run_strategy_order_generator methods carry extra keys (object, backtest config...)
  .catchall(z.union([z.string(), z.number(), z.boolean()]));

const restartPolicy = z.strictObject({
  policy: z.enum(['never', 'on_crash']),
  max_restarts: z.number().int().min(0).optional(),
});

export const controlConfigSchema = z.strictObject({
  process_configuration_start_time: z.record(z.string(), hhmm),
  process_configuration_stop_time: z.record(z.string(), hhmm),
  process_configuration_previous_process: z.record(z.string(), z.string()),
  process_configuration_host: z.record(z.string(), z.string()),
  process_restart_policy: z.record(z.string(), restartPolicy),
  process_configuration_methods: z.record(z.string(), z.record(z.string(), methodConfig)),
  arguments: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))),
});

export type ControlConfig = z.infer<typeof controlConfigSchema>;
export type MethodConfig = z.infer<typeof methodConfig>;
export const controlConfigFileSchema = controlConfigSchema.partial();

// The secret keys live in secret-keys.ts (no zod) so the logger can use them cheaply.
export { SECRET_KEYS };

// Every secret key is a key of the system config.
const secretKeysAreKeys: ReadonlyArray<keyof SystemConfig> = SECRET_KEYS;
void secretKeysAreKeys;
