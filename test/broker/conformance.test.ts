import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { brokerConformance } from './conformance.ts';
import { ibHarness, NOW } from './ib-harness.ts';

brokerConformance('sim', async () => {
  const broker = new SimBroker({ clock: new SimulatedClock(NOW), restingCheckMs: 0 });
  return { broker, close: () => broker.disconnect() };
});

brokerConformance('ib (fake TWS)', async () => {
  const h = await ibHarness();
  return { broker: h.broker, close: h.close };
});
