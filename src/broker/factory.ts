/**
 * The broker a process uses, from the system config's `broker` key (`sim` | `ib`).
 *
 * Implementations live beside the port (`sim/` simulated broker, `ib/` @stoqey/ib adapter).
 * Neither is on this branch yet, so `BROKER_MAKERS` is empty and `brokerFromConfig` says so
 * clearly instead of trading against nothing.
 */
import type { Clock } from '../clock.ts';
import type { BrokerPort } from './port.ts';
import { SimBroker } from './sim/sim-broker.ts';

export type BrokerKind = 'sim' | 'ib';

export interface BrokerFactoryConfig {
  broker: BrokerKind;
  broker_account?: string;
}

export type BrokerMaker = (system: BrokerFactoryConfig, clock: Clock) => BrokerPort;

/**
 * MERGE POINT — the one place brokers are plugged in. When `src/broker/sim/` lands, add
 *   import { SimBroker } from './sim/sim-broker.ts';
 *   sim: (_system, clock) => new SimBroker({ clock }),
 * (and `ib: ...` with the IB adapter when it lands).
 */
const BROKER_MAKERS: Partial<Record<BrokerKind, BrokerMaker>> = {
  // In memory: orders and fills live as long as the process. The stack handler's process methods
  // give theirs a KV store instead (actors/process-methods/stack-handler.ts).
  sim: (_system, clock) => new SimBroker({ clock }),
};

export class BrokerUnavailable extends Error {}

export function brokerFromConfig(system: BrokerFactoryConfig, clock: Clock): BrokerPort {
  const make = BROKER_MAKERS[system.broker];
  if (!make)
    throw new BrokerUnavailable(
      `broker '${system.broker}' is not available in this build (see BROKER_MAKERS in src/broker/factory.ts)`,
    );
  return make(system, clock);
}
