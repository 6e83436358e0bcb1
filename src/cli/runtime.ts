import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  CREDENTIALS_ENV,
  adminAuth,
  roleCredentialsFile,
  writeServerAuthConfig,
} from '../bus/credentials.ts';
import type { EmbeddedNats } from '../bus/embedded.ts';
import { type BusKeeper, keepEmbeddedNats } from '../bus/keeper.ts';
import { type Role, roleOfProcess } from '../bus/roles.ts';
import type { LoadedConfig } from '../config/load.ts';
import { logCritical, type Logger } from '../log/logger.ts';
import { ensureLogStream, natsLogDestination } from '../log/ship.ts';
import { wallClock } from '../clock.ts';
import { attachEmailAlerts } from '../email/alerts.ts';
import { getRootLogger } from '../log/logger.ts';
import { connectWithAuth, setupLogging } from './context.ts';
import { closeStorage, selectStorage, storageSelection } from '../store/backend.ts';
import { CliError } from './errors.ts';

/**
 * A long-running systack process's bus: the embedded nats-server (unless nats_url), kept alive
 * by a keeper that restarts it when it dies; the connection; logs.
 */
export interface Runtime {
  /** The embedded server running now (undefined with an external nats_url). */
  readonly server: EmbeddedNats | undefined;
  nc: NatsConnection;
  url: string;
  prefix: string;
  dataDir: string;
  log: Logger;
  /** Times the embedded server died (and was restarted unless the keeper gave up). */
  readonly busRestarts: number;
  /** Settles with the reason when the embedded server is gone for good; never with nats_url. */
  busLost: Promise<string>;
  /** Credentials file of a role on the embedded server, for children (undefined with nats_url). */
  credentialsFile(role: Role): string | undefined;
  /** Another connection as `role` (e.g. the monitor page's, read-only). */
  connectAs(role: Role, name: string): Promise<NatsConnection>;
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
  const prefix = config.system.subject_prefix;
  await selectStorage(storageSelection(config.system));
  // The logger needs the connection, which needs the server: the keeper's events log once it exists.
  const logged: { log?: Logger } = {};
  let keeper: BusKeeper | undefined;
  if (!config.system.nats_url) {
    keeper = await keepEmbeddedNats(
      {
        storeDir: resolve(dataDir, 'jetstream'),
        portsDir: dataDir,
        port: config.system.nats_port,
        configFile: writeServerAuthConfig(dataDir, prefix),
        readyAuth: adminAuth(dataDir),
      },
      config.system.nats_restart_limit,
      {
        died: (d) =>
          process.stderr.write(
            `nats-server died (${d.signal ?? `exit code ${d.code}`}); death ${d.deaths} of at most ${config.system.nats_restart_limit} restarted\n`,
          ),
        restarted: (r) =>
          logged.log?.warn({ nats_url: r.url, deaths: r.deaths }, 'nats-server restarted on the same store'),
      },
    );
  }
  const url = config.system.nats_url ?? keeper?.server.url ?? '';
  const role: Role = 'supervisor';
  let nc: NatsConnection;
  try {
    nc = await connectWithAuth(url, `systack-${processName}`, config, role, FIRST_CONNECT_MS);
    await ensureLogStream(nc, prefix);
  } catch (err) {
    // A failed start leaves nothing running: the embedded server goes with it.
    await keeper?.stop();
    if (err instanceof CliError) throw err;
    const why = err instanceof Error ? err.message : String(err);
    const external = config.system.nats_url ? ' (nats_url in the configuration)' : '';
    throw new CliError(`cannot reach NATS at ${displayUrl(url)}${external}: ${why}`);
  }
  const log = setupLogging(config, processName, natsLogDestination(nc, prefix, processName));
  logged.log = log;
  // Critical log lines also go out as email alerts (src/email).
  const email = await attachEmailAlerts(getRootLogger(), nc, prefix, config.system, wallClock);
  let busGone = false;
  const busLost = keeper
    ? keeper.lost.then((reason) => {
        busGone = true;
        logCritical(log, `the message bus is gone: ${reason}; stopping everything`, { nats_url: url });
        return reason;
      })
    : new Promise<string>(() => undefined);
  const credentialsDir = config.system.nats_credentials_dir;
  const credentialsFile = (r: Role) =>
    keeper
      ? roleCredentialsFile(dataDir, r)
      : credentialsDir
        ? join(resolve(credentialsDir), `${r}.json`)
        : undefined;
  return {
    get server() {
      return keeper?.server;
    },
    nc,
    url,
    prefix,
    dataDir,
    log,
    get busRestarts() {
      return keeper?.deaths ?? 0;
    },
    busLost,
    credentialsFile,
    connectAs: (r, name) => connectWithAuth(url, name, config, r),
    async stop() {
      await email?.flush();
      email?.stop();
      // Draining needs the server; with the bus gone, just close.
      if (busGone) await nc.close().catch(() => undefined);
      else await nc.drain().catch(() => undefined);
      await keeper?.stop();
      await closeStorage();
    },
  };
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

/** With the bus gone, children cannot finish cleanly: they get this long after SIGTERM. */
export const BUS_LOST_STOP_MS = 10_000;

/** Each child's credentials on the embedded server (the file of its process's role) and its NATS URL when `nats_process_urls` names one. */
export function childCredentialsEnv(
  rt: Runtime,
  processUrls: Record<string, string> = {},
): (process: string) => Record<string, string> {
  return (name): Record<string, string> => {
    const file = rt.credentialsFile(roleOfProcess(name));
    const url = processUrls[name];
    return { ...(file ? { [CREDENTIALS_ENV]: file } : {}), ...(url ? { SYSTACK_NATS_URL: url } : {}) };
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

/**
 * The monitor page's operator controls: an `operator` connection and the operator role's
 * password as the token a browser signs in with. Only with the embedded server's generated
 * users; with an external server the monitor stays read-only.
 */
export async function monitorOperator(
  rt: Runtime,
): Promise<{ nc: NatsConnection; token: string } | undefined> {
  const file = rt.credentialsFile('operator');
  if (!file) return undefined;
  const { readCredentialsFile } = await import('../bus/credentials.ts');
  return {
    nc: await rt.connectAs('operator', 'systack-monitor-operator'),
    token: readCredentialsFile(file).password,
  };
}
