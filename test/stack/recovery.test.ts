import { spawn } from 'node:child_process';
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingOrderRequests, requestInstrumentOrder } from '../../actors/stack/order-requests.ts';
import { runStackHandler } from '../../actors/stack/run.ts';
import { staticUniverse } from '../../actors/universe.ts';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import type { FillRecord } from '../../actors/stack/types.ts';
import { kvSimBrokerStore } from '../../src/broker/sim/kv-store.ts';
import { ConstantPriceSource } from '../../src/broker/sim/price-source.ts';
import { SimBroker } from '../../src/broker/sim/sim-broker.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, T0 } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

const N = 20;
const trades = Array.from({ length: N }, (_, i) => (i % 2 === 0 ? 1 : -1) * (3 + (i % 3)));

describe('kill -9 of the stack handler process', () => {
  it('restarts with no lost fill, no duplicate broker order, positions = sum of fills', async () => {
    const nc = await nats.connect();
    const jsm = await jetstreamManager(nc);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'test/stack/bin/stack-child.ts', nats.url, 'kill', String(N)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    // Wait until every order is on the stack, then until the child is mid-flight: some fills
    // written, far from all of them.
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('created')) resolve();
      });
      child.once('exit', () => reject(new Error(`child exited early: ${out}`)));
    });
    const total = trades.reduce((s, t) => s + Math.abs(t), 0);
    let fills = 0;
    for (let i = 0; i < 600 && fills < 12; i++) {
      await new Promise((r) => setTimeout(r, 25));
      fills = await jsm.streams.info('KILL_FILLS').then(
        (s) => s.state.messages,
        () => 0,
      );
    }
    child.kill('SIGKILL');
    await exited;
    expect(fills).toBeGreaterThanOrEqual(12);
    expect(fills).toBeLessThan(total);

    const clock = new SimulatedClock(T0);
    const store = await kvSimBrokerStore(nc, 'KILL_SIMBROKER');
    const broker = new SimBroker({
      clock,
      seed: 12,
      prices: new ConstantPriceSource(100),
      restingCheckMs: 0,
      latencyMs: 1,
      store,
    });
    const h = await StackHandler.open({ nc, broker, clock, prefix: 'kill', config: { algoSizeLimit: 1 } });
    expect(h.core.orders('instrument').length).toBeGreaterThan(0);
    for (let i = 0; i < 40 && h.core.orders('instrument').some((o) => o.active); i++)
      await drive(h, broker, 1);

    const ios = h.core.orders('instrument');
    expect(ios.length).toBe(N);
    expect(ios.every((o) => o.state === 'completed' && o.fill === o.trade)).toBe(true);
    // No duplicate broker order: the broker executed exactly what the strategies asked for.
    const atBroker = await broker.orders();
    expect(atBroker.reduce((s, o) => s + o.filledQty, 0)).toBe(total);
    const ours = new Set(h.core.orders('broker').map((b) => b.orderRef));
    expect(atBroker.every((o) => ours.has(o.orderRef))).toBe(true);
    // No lost fill, none twice: every broker execution is one fill record.
    const brokerFills = await broker.fills(0);
    const records = await h.core.store.loadFills<FillRecord>();
    expect(records.map((r) => r.data.execId).sort()).toEqual(brokerFills.map((f) => f.execId).sort());
    // Positions: ours equal the broker's and the sum of fills; strategies got their trades.
    const sorted = (xs: Array<{ instrumentCode: string; position: number }>) =>
      xs.map((p) => `${p.instrumentCode}:${p.position}`).sort();
    expect(sorted(h.positions().contract)).toEqual(sorted(await broker.positions()));
    const byInstrument = h
      .positions()
      .strategy.map((p) => `${p.instrumentCode}:${p.position}`)
      .sort();
    expect(byInstrument).toEqual(trades.map((t, i) => `I${i}:${t}`).sort());
    expect(h.core.counters.unmatched_fills).toBe(0);
    await h.close();
  }, 90_000);
});

describe('kill -9 while queued order requests are taken', () => {
  it('makes one order per request however often the handler dies; positions = sum of fills = broker', async () => {
    const nc = await nats.connect();
    const prefix = 'killreq';
    const R = 12;
    const qty = (i: number) => (i % 2 === 0 ? 1 : -1) * (2 + (i % 3));
    for (let i = 0; i < R; i++) {
      const req = { strategy_name: `s${i % 2}`, instrument_code: `Q${i}`, trade: qty(i) };
      await requestInstrumentOrder(nc, prefix, req, `req-${i}`);
    }
    // Kill the handler at random points while it takes requests and trades them.
    for (let kill = 0; kill < 3; kill++) {
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
      await new Promise((r) => setTimeout(r, 20 + Math.floor(Math.random() * 300)));
      child.kill('SIGKILL');
      await exited;
    }
    const clock = new SimulatedClock(T0);
    const broker = new SimBroker({
      clock,
      seed: 12,
      prices: new ConstantPriceSource(100),
      restingCheckMs: 0,
      latencyMs: 1,
      store: await kvSimBrokerStore(nc, 'KILLREQ_SIMBROKER'),
    });
    const universe = staticUniverse({
      instruments: Array.from({ length: R }, (_, i) => `Q${i}`),
      strategies: ['s0', 's1'],
    });
    const run = await runStackHandler({
      nc,
      broker,
      clock,
      prefix,
      loopMs: 5,
      universe,
      config: { algoSizeLimit: 1 },
    });
    const h = run.handler;
    const done = () => h.core.orders('instrument').filter((o) => !o.active).length;
    // Requests the killed handlers took without an ack come back after the ack wait (5 s).
    // Strategy orders are 'best' orders: passive first, aggressive once the clock passes 5 minutes.
    for (let i = 0; i < 600 && (done() < R || (await pendingOrderRequests(nc, prefix)) > 0); i++) {
      await new Promise((r) => setTimeout(r, 25));
      clock.advance(10_000);
    }
    await run.stop();
    const ios = h.core.orders('instrument');
    expect(ios.map((o) => o.requestId).sort()).toEqual(
      Array.from({ length: R }, (_, i) => `orderreq:req-${i}`).sort(),
    );
    expect(ios.every((o) => o.state === 'completed' && o.fill === o.trade)).toBe(true);
    const sorted = (xs: Array<{ instrumentCode: string; position: number }>) =>
      xs.map((p) => `${p.instrumentCode}:${p.position}`).sort();
    expect(sorted(h.positions().strategy)).toEqual(
      Array.from({ length: R }, (_, i) => `Q${i}:${qty(i)}`).sort(),
    );
    expect(sorted(h.positions().contract)).toEqual(sorted(await broker.positions()));
    const records = await h.core.store.loadFills<FillRecord>();
    expect(records.map((r) => r.data.execId).sort()).toEqual(
      (await broker.fills(0)).map((f) => f.execId).sort(),
    );
  }, 150_000);
});
