import { resolve } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '../bus/connection.ts';
import { type EmbeddedNats, startEmbeddedNats } from '../bus/embedded.ts';
import type { LoadedConfig } from '../config/load.ts';
import type { Logger } from '../log/logger.ts';
import { ensureLogStream } from '../log/ship.ts';
import { wallClock } from '../clock.ts';
import { attachEmailAlerts } from '../email/alerts.ts';
import { getRootLogger } from '../log/logger.ts';
import { setupLogging } from './context.ts';

/** A long-running systack process's bus: embedded nats-server (unless nats_url), connection, logs. */
export interface Runtime {
  server: EmbeddedNats | undefined;
  nc: NatsConnection;
  url: string;
  prefix: string;
  dataDir: string;
  log: Logger;
  stop(): Promise<void>;
}

export async function startRuntime(config: LoadedConfig, processName: string): Promise<Runtime> {
  const dataDir = resolve(config.system.data_dir);
  const server = config.system.nats_url
    ? undefined
    : await startEmbeddedNats({
        storeDir: resolve(dataDir, 'jetstream'),
        portsDir: dataDir,
        port: config.system.nats_port,
      });
  const url = config.system.nats_url ?? server?.url ?? '';
  const nc = await connectNats({
    url,
    name: `systack-${processName}`,
    user: config.system.nats_user,
    pass: config.system.nats_pass,
    token: config.system.nats_token,
  });
  const prefix = config.system.subject_prefix;
  await ensureLogStream(nc, prefix);
  const log = setupLogging(config, processName, nc);
  const email = await attachEmailAlerts(getRootLogger(), nc, prefix, config.system, wallClock);
  return {
    server,
    nc,
    url,
    prefix,
    dataDir,
    log,
    async stop() {
      await email?.flush();
      email?.stop();
      await nc.drain().catch(() => undefined);
      await server?.stop();
    },
  };
}

/** Resolve when SIGINT or SIGTERM arrives; a second signal exits at once. */
export function untilSignal(): Promise<void> {
  return new Promise<void>((done) => {
    const first = () => {
      process.off('SIGINT', first);
      process.off('SIGTERM', first);
      const again = () => {
        process.stderr.write('second signal: exiting now\n');
        process.exit(130);
      };
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
      done();
    };
    process.on('SIGINT', first);
    process.on('SIGTERM', first);
  });
}
