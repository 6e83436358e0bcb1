import type { NatsConnection } from '@nats-io/transport-node';
import type { StackConfig, StackLogger } from '../../actors/stack/ports.ts';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import type { FillRecord } from '../../actors/stack/types.ts';
import type { BrokerEvent, BrokerListener } from '../../src/broker/port.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker, type SimBrokerConfig } from '../../src/broker/sim/sim-broker.ts';
import { SimulatedClock } from '../../src/clock.ts';

export const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);

/** The instruments and strategies the stack tests' services accept by name. */
export const UNIVERSE_INSTRUMENTS = ['SOFR', 'GOLD', 'BUND', 'US10', 'SP500'];
export const UNIVERSE_STRATEGIES = ['ewmac', 'carry', 'x'];

export async function makeStack(
  nc: NatsConnection,
  prefix: string,
  opts: {
    broker?: Partial<SimBrokerConfig>;
    config?: StackConfig;
    clock?: SimulatedClock;
    log?: StackLogger;
  } = {},
) {
  const clock = opts.clock ?? new SimulatedClock(T0);
  const broker = new SimBroker({
    clock,
    prices: new ConstantPriceSource(100),
    restingCheckMs: 0,
    ...opts.broker,
  });
  const handler = await StackHandler.open({
    nc,
    broker,
    clock,
    prefix,
    config: { eodCancelWaitMs: 500, ...opts.config },
    log: opts.log,
  });
  return { clock, broker, handler };
}

/** Run loop passes until nothing moves (broker idle, events handled). */
export async function drive(h: StackHandler, broker: SimBroker, passes = 6): Promise<void> {
  for (let i = 0; i < passes; i++) {
    await h.runLoopPass();
    await broker.idle();
    await h.settled();
  }
  await h.core.host.flush();
}

/** The simulated broker, plus the IB adapter's correction reports (`fill-corrected`) on demand. */
export class CorrectingBroker extends SimBroker {
  private readonly heard: BrokerListener[] = [];
  override onEvent(listener: BrokerListener): () => void {
    this.heard.push(listener);
    const off = super.onEvent(listener);
    return () => {
      this.heard.splice(this.heard.indexOf(listener), 1);
      off();
    };
  }
  report(e: BrokerEvent): void {
    for (const l of this.heard) l(e);
  }
}

/**
 * A 2-lot SOFR market family traded to completion on a CorrectingBroker, where the late-fill and
 * fill-correction tests start: the handler, its clock and broker, the three orders' ids and the
 * family's one fill record.
 */
export async function completedFamily(nc: NatsConnection, prefix: string) {
  const clock = new SimulatedClock(T0);
  const broker = new CorrectingBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });
  const h = await StackHandler.open({ nc, broker, clock, prefix, config: { algoSizeLimit: 5 } });
  const io = await h.createInstrumentOrder({
    strategyName: 'ewmac',
    instrumentCode: 'SOFR',
    trade: 2,
    orderType: 'market',
  });
  await drive(h, broker);
  const coId = h.core.instrumentOrder(io.id)!.children[0]!;
  const [rec] = (await h.core.store.loadFills<FillRecord>()).map((e) => e.data);
  if (!rec) throw new Error('the family has no fill record');
  return { h, clock, broker, io, coId, rec, boId: rec.brokerOrderId! };
}
