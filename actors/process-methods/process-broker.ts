/**
 * The broker a process method uses. With `broker: sim` every process shares one simulated broker:
 * its orders and fills live in the KV bucket `<PREFIX>_SIMBROKER` (so they outlive any process,
 * as a real broker's would) and its market continues the stored prices (`StorePriceSource`) from
 * anchors kept in the same bucket, with the sessions, holidays and ticks of
 * `config/sim_market.yaml` and the spreads and commissions of the instrument config, so the price
 * updates, the capital update and the stack handler all see the same market
 * (docs/simulated-broker.md).
 * With `broker: ib` each process gets its own broker client id, recorded in KV (actors/broker-client.ts)
 * and given back when it closes its broker (`closeProcessBroker`; the reference releases it when a
 * process closes its data blob). A process that dies keeps its id until `systack control client-ids
 * clear-unused`.
 */
import type { BrokerPort } from '../../src/broker/port.ts';
import { ChaosBroker } from '../../src/broker/sim/chaos-broker.ts';
import { kvSimBrokerStore, kvSimMarketAnchors } from '../../src/broker/sim/kv-store.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { StorePriceSource } from '../../src/broker/sim/store-price-source.ts';
import { simTermsFromStore } from '../../src/broker/sim/terms.ts';
import { streamName } from '../../src/bus/subjects.ts';
import { loadSimMarketConfig, type SimMarketConfig } from '../../src/config/sim-market.ts';
import { brokerWithClientId, releaseBrokerClientId } from '../broker-client.ts';
import type { MethodContext } from './types.ts';
import { openPriceStore } from '../../src/store/backend.ts';

let marketConfig: SimMarketConfig | undefined;

export async function processBroker(ctx: MethodContext): Promise<BrokerPort> {
  if (ctx.system.broker !== 'sim') return brokerWithClientId(ctx);
  const bucket = streamName(ctx.prefix, 'SIMBROKER');
  const store = await kvSimBrokerStore(ctx.nc, bucket);
  const priceStore = await openPriceStore(ctx.nc, ctx.prefix);
  marketConfig ??= loadSimMarketConfig();
  const config = marketConfig;
  const anchors = await kvSimMarketAnchors(ctx.nc, bucket, priceStore);
  const prices = new StorePriceSource(
    anchors,
    ctx.system.sim_seed,
    (code) => config.terms(code).calendar,
    config.fxCalendar,
  );
  const sim = new SimBroker({
    clock: ctx.clock,
    store,
    prices,
    seed: ctx.system.sim_seed,
    latencyMs: ctx.system.sim_latency_ms,
    terms: await simTermsFromStore(priceStore, config),
    fx: prices,
    fxCalendar: config.fxCalendar,
  });
  // The chaos suite's faults at the broker's wire (duplicated, delayed, reordered events, drops).
  return ctx.system.sim_broker_chaos ? new ChaosBroker(sim, ctx.system.sim_broker_chaos) : sim;
}

/** Disconnect a process's broker and give back the broker client id the process holds. */
export async function closeProcessBroker(ctx: MethodContext, broker: BrokerPort): Promise<void> {
  await broker.disconnect();
  await releaseBrokerClientId(ctx);
}
