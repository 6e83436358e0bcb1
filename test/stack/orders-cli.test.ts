import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningStackHandler, runStackHandler } from '../../actors/stack/run.ts';
import { staticUniverse } from '../../actors/universe.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { runSystack } from '../support/cli.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { T0, UNIVERSE_INSTRUMENTS, UNIVERSE_STRATEGIES } from './helpers.ts';

let nats: TestNats;
let stack: RunningStackHandler;

beforeAll(async () => {
  nats = await startTestNats();
  const clock = new SimulatedClock(T0);
  const broker = new SimBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });
  stack = await runStackHandler({
    nc: await nats.connect(),
    broker,
    clock,
    prefix: 'systack',
    loopMs: 20,
    universe: staticUniverse({ instruments: UNIVERSE_INSTRUMENTS, strategies: UNIVERSE_STRATEGIES }),
    config: { algoSizeLimit: 5, eodCancelWaitMs: 200 },
  });
});
afterAll(async () => {
  await stack?.stop();
  await nats?.stop();
});

const systack = (...args: string[]) => runSystack(['orders', ...args, '--nats-url', nats.url]);

describe('systack orders', () => {
  it('creates an order, shows the stacks and positions, and runs end of day', async () => {
    const created = await systack('create', 'ewmac', 'SOFR', '2', '--type', 'market', '--json');
    expect(created.code).toBe(0);
    const io = JSON.parse(created.stdout) as { id: number; trade: number };
    expect(io.trade).toBe(2);
    for (let i = 0; i < 100 && stack.handler.core.instrumentOrder(io.id)?.state !== 'completed'; i++)
      await new Promise((r) => setTimeout(r, 20));
    const pos = JSON.parse((await systack('positions', '--json')).stdout) as { strategy: unknown[] };
    expect(pos.strategy).toEqual([{ strategyName: 'ewmac', instrumentCode: 'SOFR', position: 2 }]);
    const table = await systack('view', 'broker');
    expect(table.stdout).toContain('SOFR');
    const eod = JSON.parse((await systack('eod', '--json')).stdout) as { removed: number };
    expect(eod.removed).toBe(3);
  }, 120_000);

  it('refuses bad input with a usage error or the service error code', async () => {
    const bad = await systack('create', 'ewmac', 'SOFR', 'lots');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("trade must be a non-zero integer, got 'lots'");
    const missing = await systack('order', 'broker', '4242');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('broker order 4242 not found (code 404)');
    const unconfirmed = await systack('delete-all');
    expect(unconfirmed.code).toBe(2);
  }, 120_000);
});
