import { resolve } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '../bus/connection.ts';
import { discoverEmbeddedNats } from '../bus/discover.ts';
import { type LoadedConfig, loadConfig } from '../config/load.ts';
import { createRootLogger, type Logger, setRootLogger } from '../log/logger.ts';
import { ensureLogStream, natsLogDestination } from '../log/ship.ts';
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

/** Set up the process's root logger from config (secrets scrubbed), shipping to NATS if given. */
export function setupLogging(config: LoadedConfig, processName: string, nc?: NatsConnection): Logger {
  const root = createRootLogger({
    processName,
    level: config.system.log_level,
    secrets: config.secrets,
    destination: process.stderr,
  });
  if (nc) root.addDestination(natsLogDestination(nc, config.system.subject_prefix, processName));
  setRootLogger(root);
  return root.log;
}

/**
 * Load config, connect to the bus, run `fn`, always close the connection. `shipLogs: false`
 * keeps the command's log lines off the bus (a restore must find an empty store).
 */
export async function withBus<T>(
  opts: { natsUrl?: string; processName?: string; shipLogs?: boolean },
  fn: (ctx: BusContext) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const url = resolveNatsUrl(config, opts.natsUrl);
  const nc = await connectNats({
    url,
    name: opts.processName ?? 'systack-cli',
    user: config.system.nats_user,
    pass: config.system.nats_pass,
    token: config.system.nats_token,
  });
  try {
    const prefix = config.system.subject_prefix;
    const shipLogs = opts.shipLogs ?? true;
    if (shipLogs) await ensureLogStream(nc, prefix);
    const log = setupLogging(config, opts.processName ?? 'systack-cli', shipLogs ? nc : undefined);
    return await fn({ nc, config, prefix, log });
  } finally {
    await nc.drain().catch(() => undefined);
  }
}
