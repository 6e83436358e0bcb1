/**
 * A stack handler process for the kill -9 test: connects to NATS, runs the stack handler with a
 * simulated broker persisted in KV (so the broker outlives this process), puts orders on the
 * stack (or takes them from the order request queue) and works them until killed.
 */
import { runStackHandler } from '../../../actors/stack/run.ts';
import { staticUniverse } from '../../../actors/universe.ts';
import { kvSimBrokerStore } from '../../../src/broker/sim/kv-store.ts';
import { ConstantPriceSource } from '../../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../../src/broker/sim/sim-broker.ts';
import { connectNats } from '../../../src/bus/connection.ts';
import { SimulatedClock } from '../../../src/clock.ts';

// mode `direct`: put `count` orders on the stack; `requests`: take the queued order requests.
const [url = '', prefix = 'kill', count = '20', mode = 'direct'] = process.argv.slice(2);
const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);
const nc = await connectNats({ url, name: 'stack-child' });
const clock = new SimulatedClock(T0);
const broker = new SimBroker({
  clock,
  seed: 11,
  prices: new ConstantPriceSource(100),
  latencyMs: 3,
  partialFillProbability: 0.5,
  restingCheckMs: 0,
  store: await kvSimBrokerStore(nc, `${prefix.toUpperCase()}_SIMBROKER`),
});
// Orders go in through createInstrumentOrder, not the services: no name is needed there.
const universe = staticUniverse({ instruments: [], strategies: [] });
const run = await runStackHandler({
  nc,
  broker,
  clock,
  prefix,
  loopMs: 5,
  universe,
  config: { algoSizeLimit: 1 },
});
const n = mode === 'direct' ? Number(count) : 0;
for (let i = 0; i < n; i++) {
  await run.handler.createInstrumentOrder({
    strategyName: `s${i % 3}`,
    instrumentCode: `I${i}`,
    trade: (i % 2 === 0 ? 1 : -1) * (3 + (i % 3)),
    orderType: 'market',
  });
}
// Taking requests (strategy 'best' orders): the clock moves on so passive orders turn aggressive.
if (mode === 'requests') setInterval(() => clock.advance(10_000), 20);
process.stdout.write('created\n');
setInterval(() => undefined, 1000);
