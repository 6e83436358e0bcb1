import { resolve } from 'node:path';
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
import { ensureLogStream } from '../log/ship.ts';
import { connectWithAuth, setupLogging } from './context.ts';

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

export async function startRuntime(config: LoadedConfig, processName: string): Promise<Runtime> {
  const dataDir = resolve(config.system.data_dir);
  const prefix = config.system.subject_prefix;
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
  const nc = await connectWithAuth(url, `systack-${processName}`, config, role);
  await ensureLogStream(nc, prefix);
  const log = setupLogging(config, processName, nc);
  logged.log = log;
  let busGone = false;
  const busLost = keeper
    ? keeper.lost.then((reason) => {
        busGone = true;
        logCritical(log, `the message bus is gone: ${reason}; stopping everything`, { nats_url: url });
        return reason;
      })
    : new Promise<string>(() => undefined);
  const credentialsFile = (r: Role) => (keeper ? roleCredentialsFile(dataDir, r) : undefined);
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
      // Draining needs the server; with the bus gone, just close.
      if (busGone) await nc.close().catch(() => undefined);
      else await nc.drain().catch(() => undefined);
      await keeper?.stop();
    },
  };
}

/** With the bus gone, children cannot finish cleanly: they get this long after SIGTERM. */
export const BUS_LOST_STOP_MS = 10_000;

/** Each child's credentials on the embedded server: the file of its process's role. */
export function childCredentialsEnv(rt: Runtime): (process: string) => Record<string, string> {
  return (name): Record<string, string> => {
    const file = rt.credentialsFile(roleOfProcess(name));
    return file ? { [CREDENTIALS_ENV]: file } : {};
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
