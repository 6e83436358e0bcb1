/**
 * A broker connection with its broker client id (the reference's "Broker client IDs" control):
 * for any broker but the simulated one, the process allocates an id in the registry
 * (src/store/broker-client-ids.ts) before it connects, under its own name, pid and host, and gives
 * it back when it closes the connection (also when the connect failed). Every process and command
 * that talks to the broker (process methods, the reports' sources) goes through here, so every
 * connection to IB is recorded and shown by `systack control client-ids`.
 */
import { hostname } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import { type BrokerFactoryConfig, brokerFromConfig } from '../src/broker/factory.ts';
import type { BrokerPort } from '../src/broker/port.ts';
import type { Clock } from '../src/clock.ts';
import { BrokerClientIds } from '../src/store/broker-client-ids.ts';

export interface BrokerClientScope {
  nc: NatsConnection;
  prefix: string;
  system: BrokerFactoryConfig;
  clock: Clock;
  /** Who holds the id (a process name, or a command's). */
  process: string;
}

const holderOf = (s: BrokerClientScope) => ({ process: s.process, pid: process.pid, host: hostname() });

/** The configured broker, with a broker client id allocated and recorded (unless `sim`). */
export async function brokerWithClientId(s: BrokerClientScope): Promise<BrokerPort> {
  if (s.system.broker === 'sim') return brokerFromConfig(s.system, s.clock);
  const ids = await BrokerClientIds.open(s.nc, s.prefix);
  const clientId = await ids.allocate({ ...holderOf(s), allocated_at: s.clock.now() });
  try {
    return brokerFromConfig(s.system, s.clock, { clientId });
  } catch (err) {
    await ids.release(clientId);
    throw err;
  }
}

/** Give back the broker client id this holder has (nothing to do for `sim`). */
export async function releaseBrokerClientId(s: BrokerClientScope): Promise<void> {
  if (s.system.broker === 'sim') return;
  const ids = await BrokerClientIds.open(s.nc, s.prefix);
  const h = holderOf(s);
  const mine = (await ids.list()).find(
    (r) => r.process === h.process && r.pid === h.pid && r.host === h.host,
  );
  if (mine) await ids.release(mine.client_id);
}

/**
 * Run `fn` with the configured broker connected, its client id recorded for the run and given
 * back after (whether `fn` or the connect failed).
 */
export async function withClientBroker<T>(
  s: BrokerClientScope,
  fn: (broker: BrokerPort) => Promise<T>,
): Promise<T> {
  const broker = await brokerWithClientId(s);
  try {
    await broker.connect();
    return await fn(broker);
  } finally {
    await broker.disconnect().catch(() => undefined); // never connected, or already gone
    await releaseBrokerClientId(s);
  }
}
