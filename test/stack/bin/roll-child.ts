/**
 * A stack handler process for the kill -9 in the middle of a roll: restores the stack (GOLD held
 * in the priced contract, roll state Force), generates the roll orders (one calendar spread) and
 * works them one spread per broker order, the simulated broker persisted in KV and filling part
 * of each order at a time, until killed.
 */
import { generateForceRollOrders } from '../../../actors/rolls/roll-orders.ts';
import { StoredRollContracts } from '../../../actors/rolls/stored-contracts.ts';
import { silentLogger } from '../../../actors/stack/ports.ts';
import { runStackHandler } from '../../../actors/stack/run.ts';
import { staticUniverse } from '../../../actors/universe.ts';
import { kvSimBrokerStore } from '../../../src/broker/sim/kv-store.ts';
import { ConstantPriceSource } from '../../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../../src/broker/sim/sim-broker.ts';
import { connectNats } from '../../../src/bus/connection.ts';
import { SimulatedClock } from '../../../src/clock.ts';
import { JetStreamPriceStore } from '../../../src/store/jetstream/price-store.ts';
import { T0 } from '../roll-fixture.ts';

const [url = '', prefix = 'rollkill'] = process.argv.slice(2);
const nc = await connectNats({ url, name: 'roll-child' });
const clock = new SimulatedClock(T0);
const broker = new SimBroker({
  clock,
  seed: 5,
  prices: new ConstantPriceSource(100),
  latencyMs: 3,
  partialFillProbability: 0.5,
  restingCheckMs: 0,
  store: await kvSimBrokerStore(nc, `${prefix.toUpperCase()}_SIMBROKER`),
});
const prices = await JetStreamPriceStore.open(nc, prefix);
const contracts = await StoredRollContracts.open({ nc, prefix, clock }, prices, silentLogger);
const run = await runStackHandler({
  nc,
  broker,
  clock,
  prefix,
  loopMs: 5,
  contracts,
  log: silentLogger,
  universe: staticUniverse({ instruments: [], strategies: [] }),
  config: { algoSizeLimit: 1, algoOverrides: { GOLD: 'market' } },
});
const { created } = await generateForceRollOrders(run.handler.core, contracts, prices);
process.stdout.write(`created ${created.join(',')}\n`);
setInterval(() => undefined, 1000);
