/**
 * The broker a process method uses. With `broker: sim` every process shares one simulated broker:
 * its orders and fills live in the KV bucket `<PREFIX>_SIMBROKER` (so they outlive any process,
 * as a real broker's would) and its market continues the stored prices (`StorePriceSource`), so
 * the price updates, the capital update and the stack handler all see the same market.
 * With `broker: ib` each process gets its own broker client id, recorded in KV (BrokerClientIds).
 */
import { hostname } from 'node:os';
import { brokerFromConfig } from '../../src/broker/factory.ts';
import type { BrokerPort } from '../../src/broker/port.ts';
import { kvSimBrokerStore } from '../../src/broker/sim/kv-store.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { StorePriceSource } from '../../src/broker/sim/store-price-source.ts';
import { streamName } from '../../src/bus/subjects.ts';
import { BrokerClientIds } from '../../src/store/broker-client-ids.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import type { MethodContext } from './types.ts';

export async function processBroker(ctx: MethodContext): Promise<BrokerPort> {
  if (ctx.system.broker !== 'sim') {
    const ids = await BrokerClientIds.open(ctx.nc, ctx.prefix);
    const clientId = await ids.allocate({
      process: ctx.process,
      pid: process.pid,
      host: hostname(),
      allocated_at: ctx.clock.now(),
    });
    return brokerFromConfig(ctx.system, ctx.clock, { clientId });
  }
  const store = await kvSimBrokerStore(ctx.nc, streamName(ctx.prefix, 'SIMBROKER'));
  const prices = await StorePriceSource.load(
    await JetStreamPriceStore.open(ctx.nc, ctx.prefix),
    ctx.system.sim_seed,
  );
  return new SimBroker({
    clock: ctx.clock,
    store,
    prices,
    seed: ctx.system.sim_seed,
    latencyMs: ctx.system.sim_latency_ms,
  });
}
