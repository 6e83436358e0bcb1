/**
 * `systack config check` beyond the schema: can the configured broker and storage backend run in
 * this build, and can they be reached? Each failure names the key to change.
 */
import { existsSync } from 'node:fs';
import { Socket } from 'node:net';
import { loadIbInstrumentConfig } from '../../broker/ib/ib-config.ts';
import { ConfigError, type LoadedConfig } from '../../config/load.ts';
import { storageSelection } from '../../store/backend.ts';
import { openMongo } from '../../store/mongo/json-collection.ts';

/** Whether something accepts a TCP connection at host:port within `ms` (the reason if not). */
export function tcpReachable(host: string, port: number, ms: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (why: string | undefined): void => {
      socket.destroy();
      resolve(why);
    };
    socket.setTimeout(ms, () => done(`no answer within ${ms} ms`));
    socket.once('error', (err) => done(err.message));
    socket.connect(port, host, () => done(undefined));
  });
}

/** storage_backend mongodb: the configured server answers a ping (the error never shows a password). */
async function checkMongo(system: LoadedConfig['system'], file: string, ms: number): Promise<void> {
  const selection = storageSelection(system);
  if (selection.backend !== 'mongodb') return;
  const url = new URL(selection.mongo.url);
  const where = url.host || system.mongo_host.replace(/\/\/[^@]*@/, '//');
  try {
    const m = await openMongo(selection.mongo, ms);
    try {
      await m.db.command({ ping: 1 });
    } finally {
      await m.close();
    }
  } catch (err) {
    const why = (err as Error).message.split(url.password || '\u0000').join('[redacted]');
    throw new ConfigError(
      file,
      'mongo_host',
      `no MongoDB reachable at ${where} (${why}); start mongod or fix mongo_host / mongo_port (and mongo_user / mongo_pass)`,
    );
  }
}

export async function checkRunnable(config: LoadedConfig, reachTimeoutMs = 3_000): Promise<void> {
  const { system, files } = config;
  const file = existsSync(files.privateConfig) ? files.privateConfig : files.defaults;
  if (system.storage_backend === 'mongodb') await checkMongo(system, file, reachTimeoutMs);
  if (system.broker !== 'ib') return;
  try {
    loadIbInstrumentConfig(system.ib_config_dir);
  } catch (err) {
    throw new ConfigError(file, 'ib_config_dir', (err as Error).message);
  }
  const where = `${system.ib_ipaddress}:${system.ib_port}`;
  const why = await tcpReachable(system.ib_ipaddress, system.ib_port, reachTimeoutMs);
  if (why !== undefined)
    throw new ConfigError(
      file,
      'ib_port',
      `no TWS / IB Gateway reachable at ib_ipaddress:ib_port = ${where} (${why}); start it or fix ib_ipaddress / ib_port`,
    );
}
