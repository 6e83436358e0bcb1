import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InspectEvent } from '../../actors/host/order-host.ts';
import { readPositions } from '../../actors/stack/read-model.ts';
import { QueuedInstrumentOrderSink } from '../../actors/strategy-order-ports.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

describe('strategy and stack handler in two processes', () => {
  it('trade a family over NATS: the request queue in, the inspection events out', async () => {
    const nc = await nats.connect();
    const prefix = 'xproc';
    const seen: InspectEvent[] = [];
    const sub = nc.subscribe(`${prefix}.inspect.order.>`, {
      callback: (_e, m) => {
        seen.push(m.json<InspectEvent>());
      },
    });
    await nc.flush();
    // The stack handler runs in its own process (simulated broker, clock moving on).
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/stack/bin/stack-child.ts', nats.url, prefix, '0', 'requests'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('created')) resolve();
      });
      child.once('exit', () => reject(new Error(`child exited early: ${out}`)));
    });
    // This process is the strategy: its order goes to the stack handler as a queued request.
    const sink = new QueuedInstrumentOrderSink(nc, prefix);
    await sink.create({ strategy_name: 'ewmac', instrument_code: 'SOFR', trade: 3 });
    const done = () => seen.find((e) => e.kind === 'instrument' && e.state === 'completed');
    for (let i = 0; i < 600 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGKILL');
    await exited;
    sub.unsubscribe();
    const root = done()?.id;
    expect(root).toBeDefined();
    const family = seen.filter((e) => e.root === root);
    // The orders and the execution algo working the broker order (an actor of its machine too).
    expect(new Set(family.map((e) => e.kind))).toEqual(new Set(['instrument', 'contract', 'broker', 'algo']));
    const states = (kind: string) => [...new Set(family.filter((e) => e.kind === kind).map((e) => e.state))];
    expect(states('instrument')[0]).toBe('new');
    expect(states('instrument').at(-1)).toBe('completed');
    expect(states('contract').at(-1)).toBe('completed');
    expect(states('broker')).toContain('filled');
    expect(states('algo').at(-1)).toBe('done');
    // Every transition carries the clock time of the handler's clock.
    expect(family.every((e) => Number.isFinite(e.at) && e.at > 0)).toBe(true);
    expect((await readPositions(nc, prefix)).strategy).toEqual([
      { strategyName: 'ewmac', instrumentCode: 'SOFR', position: 3 },
    ]);
  }, 60_000);
});
