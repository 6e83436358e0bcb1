/**
 * The broker a process uses, from the system config's `broker` key (`sim` | `ib`).
 *
 * Implementations live beside the port (`sim/` simulated broker, `ib/` @stoqey/ib adapter).
 * The IB adapter connects to `ib_ipaddress`:`ib_port` with client id `ib_idoffset` + the
 * process's broker client id (src/store/broker-client-ids.ts), for account `broker_account`,
 * with the instrument config of `ib_config_dir`.
 */
import type { Clock } from '../clock.ts';
import { IbBroker } from './ib/ib-broker.ts';
import { loadIbInstrumentConfig } from './ib/ib-config.ts';
import type { BrokerPort } from './port.ts';
import { SimBroker } from './sim/sim-broker.ts';

export type BrokerKind = 'sim' | 'ib';

export interface BrokerFactoryConfig {
  broker: BrokerKind;
  broker_account?: string;
  ib_ipaddress?: string;
  ib_port?: number;
  ib_idoffset?: number;
  ib_config_dir?: string;
}

export interface BrokerProcessOptions {
  /** This process's broker client id (added to `ib_idoffset`); default 0. */
  clientId?: number;
  /** Give up a first connect after this long. */
  connectTimeoutMs?: number;
}

export type BrokerMaker = (
  system: BrokerFactoryConfig,
  clock: Clock,
  opts: BrokerProcessOptions,
) => BrokerPort;

/** The one place brokers are plugged in. */
const BROKER_MAKERS: Partial<Record<BrokerKind, BrokerMaker>> = {
  // In memory: orders and fills live as long as the process. The stack handler's process methods
  // give theirs a KV store instead (actors/process-methods/stack-handler.ts).
  sim: (_system, clock) => new SimBroker({ clock }),
  ib: (system, clock, opts) =>
    new IbBroker({
      host: system.ib_ipaddress ?? '127.0.0.1',
      port: system.ib_port ?? 4001,
      clientId: (system.ib_idoffset ?? 0) + (opts.clientId ?? 0),
      ...(system.broker_account ? { account: system.broker_account } : {}),
      clock,
      instruments: loadIbInstrumentConfig(system.ib_config_dir ?? 'sample-data/pysystemtrade/ibconfig'),
      ...(opts.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: opts.connectTimeoutMs }),
    }),
};

export class BrokerUnavailable extends Error {
  override readonly name = 'BrokerUnavailable';
}

export function brokerFromConfig(
  system: BrokerFactoryConfig,
  clock: Clock,
  opts: BrokerProcessOptions = {},
): BrokerPort {
  const make = BROKER_MAKERS[system.broker];
  if (!make)
    throw new BrokerUnavailable(
      `broker '${system.broker}' is not available in this build (see BROKER_MAKERS in src/broker/factory.ts)`,
    );
  return make(system, clock, opts);
}
