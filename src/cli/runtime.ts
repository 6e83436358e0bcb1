import { createServer } from 'node:net';
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
import { CliError } from './errors.ts';

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

/** First connect to NATS at start: fail within this, not after the client's default. */
const FIRST_CONNECT_MS = 2000;

/** A NATS URL without its user and password, for messages. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url; // not a URL at all: shown as given
  }
}

export async function startRuntime(config: LoadedConfig, processName: string): Promise<Runtime> {
  const dataDir = resolve(config.system.data_dir);
  const external = config.system.nats_url;
  let server: EmbeddedNats | undefined;
  let nc: NatsConnection | undefined;
  try {
    server = external
      ? undefined
      : await startEmbeddedNats({
          storeDir: resolve(dataDir, 'jetstream'),
          portsDir: dataDir,
          port: config.system.nats_port,
        });
    const url = external ?? server?.url ?? '';
    nc = await connectNats({
      url,
      name: `systack-${processName}`,
      user: config.system.nats_user,
      pass: config.system.nats_pass,
      token: config.system.nats_token,
      timeout: FIRST_CONNECT_MS,
    }).catch((err: unknown) => {
      const why = err instanceof Error ? err.message : String(err);
      throw new CliError(
        `cannot reach NATS at ${displayUrl(url)}${external ? ' (nats_url in the configuration)' : ''}: ${why}`,
      );
    });
    const prefix = config.system.subject_prefix;
    await ensureLogStream(nc, prefix);
    const log = setupLogging(config, processName, nc);
    const email = await attachEmailAlerts(getRootLogger(), nc, prefix, config.system, wallClock);
    const conn = nc;
    const embedded = server;
    return {
      server: embedded,
      nc: conn,
      url,
      prefix,
      dataDir,
      log,
      async stop() {
        await email?.flush();
        email?.stop();
        await conn.drain().catch(() => undefined);
        await embedded?.stop();
      },
    };
  } catch (err) {
    await nc?.close().catch(() => undefined);
    await server?.stop();
    throw err;
  }
}

/**
 * Run `body` with a started runtime; if it fails, stop the runtime (connection and embedded
 * nats-server) before the error goes on, so a failed start leaves nothing running.
 */
export async function failClean<T>(rt: Runtime, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    await rt.stop().catch(() => undefined);
    throw err;
  }
}

/** Fail at once if the monitor's port is taken (before anything is started). */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((done, fail) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      fail(
        new CliError(
          err.code === 'EADDRINUSE'
            ? `monitor port ${port} on ${host} is in use: stop what holds it, or set monitor_port in private_config.yaml, or pass --monitor-port N (or --no-monitor)`
            : `monitor port ${port} on ${host}: ${err.message}`,
        ),
      );
    });
    probe.listen(port, host, () => probe.close(() => done()));
  });
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
