import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats, type NatsConnectOptions } from '../bus/connection.ts';
import { CREDENTIALS_ENV, readCredentialsFile, roleCredentialsFile } from '../bus/credentials.ts';
import type { Role } from '../bus/roles.ts';
import { discoverEmbeddedNats } from '../bus/discover.ts';
import { loadConfigCached } from '../config/cached.ts';
import type { LoadedConfig } from '../config/load.ts';
import {
  createRootLogger,
  lazyRootLogger,
  type Logger,
  type RootLogger,
  setRootLogger,
} from '../log/logger.ts';
import type { DestinationStream } from 'pino';
import { logFormat, prettyLogStream } from '../log/pretty.ts';
import { wallClock } from '../clock.ts';
import type { EmailSender } from '../email/sender.ts';
import { getRootLogger } from '../log/logger.ts';
import { CliError } from './output.ts';

export interface BusContext {
  nc: NatsConnection;
  config: LoadedConfig;
  prefix: string;
  log: Logger;
}

/** The NATS URL to use: `--nats-url`, then config `nats_url`, then a running embedded server. */
export function resolveNatsUrl(config: LoadedConfig, override?: string): string {
  if (override) return override;
  if (config.system.nats_url) return config.system.nats_url;
  const dataDir = resolve(config.system.data_dir);
  const found = discoverEmbeddedNats(dataDir);
  if (!found) {
    throw new CliError(
      `no running systack found in ${dataDir}: start it with 'npm start' (or 'systack supervise'), or set nats_url`,
    );
  }
  return found;
}

export type NatsAuth = Omit<NatsConnectOptions, 'url' | 'name'>;

/**
 * How a process authenticates to NATS: the credentials file in $SYSTACK_NATS_CREDENTIALS (the
 * supervisor gives each child its role's), else for an external server the config's nats_*
 * keys, else the embedded server's file for `role` in `<data_dir>/nats-auth/`.
 */
export function natsAuth(config: LoadedConfig, role: Role): NatsAuth {
  const s = config.system;
  const tls =
    s.nats_tls_ca_file || s.nats_tls_cert_file || s.nats_tls_key_file
      ? { caFile: s.nats_tls_ca_file, certFile: s.nats_tls_cert_file, keyFile: s.nats_tls_key_file }
      : undefined;
  const fromFile = (file: string): NatsAuth => {
    const c = readCredentialsFile(file);
    return { user: c.user, pass: c.password, tls };
  };
  const envFile = process.env[CREDENTIALS_ENV];
  if (envFile) return fromFile(envFile);
  if (s.nats_url && s.nats_credentials_dir)
    return fromFile(join(resolve(s.nats_credentials_dir), `${role}.json`));
  if (s.nats_url) {
    return {
      user: s.nats_user,
      pass: s.nats_pass,
      token: s.nats_token,
      credsFile: s.nats_creds_file,
      nkeySeedFile: s.nats_nkey_seed_file,
      tls,
    };
  }
  const file = roleCredentialsFile(resolve(s.data_dir), role);
  return existsSync(file) ? fromFile(file) : {};
}

/** Connect, turning a refused login into an error that says where the credentials come from. */
export async function connectWithAuth(
  url: string,
  name: string,
  config: LoadedConfig,
  role: Role,
  timeout?: number,
): Promise<NatsConnection> {
  try {
    return await connectNats({
      url,
      name,
      ...natsAuth(config, role),
      ...(timeout ? { timeout } : {}),
      replicas: config.system.jetstream_replicas,
    });
  } catch (err) {
    if (err instanceof Error && /authori[sz]ation/i.test(err.message)) {
      const where = process.env[CREDENTIALS_ENV]
        ? `$${CREDENTIALS_ENV} (${process.env[CREDENTIALS_ENV]})`
        : config.system.nats_url
          ? 'nats_user/nats_pass/nats_token/nats_creds_file/nats_nkey_seed_file'
          : roleCredentialsFile(resolve(config.system.data_dir), role);
      throw new CliError(`NATS at ${url} refused the credentials from ${where}: ${err.message}`);
    }
    throw err;
  }
}

/**
 * Set up the process's root logger from config (secrets scrubbed), also writing to `ship` if
 * given (the log stream on NATS: `natsLogDestination` of src/log/ship.ts).
 */
export function setupLogging(config: LoadedConfig, processName: string, ship?: DestinationStream): Logger {
  const root = rootLoggerFor(config, processName, ship);
  setRootLogger(root);
  return root.log;
}

/** The root logger `setupLogging` installs, built on first use (a query that logs nothing loads no pino). */
function rootLoggerFor(config: LoadedConfig, processName: string, ship?: DestinationStream): RootLogger {
  return lazyRootLogger(() => {
    const root = createRootLogger({
      processName,
      level: config.system.log_level,
      secrets: config.secrets,
      destination: logFormat() === 'pretty' ? prettyLogStream({ colorize: true }) : process.stderr,
    });
    if (ship) root.addDestination(ship);
    return root;
  });
}

/**
 * Load config, connect to the bus, run `fn`, always close the connection. `shipLogs: false`
 * keeps the command's log lines off the bus (a restore must find an empty store); `storage:
 * false` is for a command that only calls services and ships no logs (no store opened, so no
 * storage backend chosen; shipped logs' email alerts keep their store, so they choose it).
 * The log shipping, email alert and storage modules are imported only when used, so a service
 * query (`systack control processes`) does not load them.
 */
export async function withBus<T>(
  opts: { natsUrl?: string; processName?: string; role?: Role; shipLogs?: boolean; storage?: boolean },
  fn: (ctx: BusContext) => Promise<T>,
): Promise<T> {
  const config = await loadConfigCached();
  const shipLogs = opts.shipLogs ?? true;
  const storage = opts.storage === false && !shipLogs ? undefined : await import('../store/backend.ts');
  await storage?.selectStorage(storage.storageSelection(config.system));
  const url = resolveNatsUrl(config, opts.natsUrl);
  const nc = await connectWithAuth(url, opts.processName ?? 'systack-cli', config, opts.role ?? 'operator');
  let email: EmailSender | undefined;
  try {
    const prefix = config.system.subject_prefix;
    const processName = opts.processName ?? 'systack-cli';
    const ship = shipLogs ? await import('../log/ship.ts') : undefined;
    await ship?.ensureLogStream(nc, prefix);
    const root = rootLoggerFor(config, processName, ship?.natsLogDestination(nc, prefix, processName));
    setRootLogger(root);
    // commands that write to the bus also send critical logs as email alerts
    if (shipLogs) {
      const { attachEmailAlerts } = await import('../email/alerts.ts');
      email = await attachEmailAlerts(getRootLogger(), nc, prefix, config.system, wallClock);
    }
    // `log` is built when the command first reads it (a view that logs nothing loads no pino).
    return await fn({
      nc,
      config,
      prefix,
      get log() {
        return root.log;
      },
    });
  } finally {
    await email?.flush();
    email?.stop();
    await nc.drain().catch(() => undefined);
    await storage?.closeStorage();
  }
}
