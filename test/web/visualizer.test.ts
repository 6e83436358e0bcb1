/**
 * The live machine visualizer in headless Chromium: a real nats-server, the monitor's server with
 * the visualizer's routes, a real order family driven through the stack handler (its inspection
 * events), a real roll-status change, and the replay of the family from the journal.
 * Screenshots: test-results/visualizer-*.png.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeRollState } from '../../actors/rolls/roll-status-host.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { describeMachine } from '../../machines/diagram.ts';
import { machineRegistry } from '../../machines/registry.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { resolveControlConfig } from '../../src/domain/process-control/config.ts';
import { SHIPPED_CONTROL_CONFIG } from '../../src/domain/process-control/shipped.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { emptyDataSource } from '../../src/web/monitor/data-source.ts';
import { type MonitorServer, startMonitorServer } from '../../src/web/monitor/server.ts';
import { machineStateOf } from '../../src/web/visualizer/events.ts';
import { startVisualizer, type Visualizer } from '../../src/web/visualizer/routes.ts';
import { launchChromium, type TestBrowser } from '../support/browser.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, makeStack, T0 } from '../stack/helpers.ts';

const PREFIX = 'viz';
let nats: TestNats;
let nc: NatsConnection;
let visualizer: Visualizer;
let monitor: MonitorServer;
let browser: TestBrowser;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect('visualizer');
  visualizer = await startVisualizer(nc, PREFIX);
  monitor = await startMonitorServer(
    {
      store: await ProcessStore.open(nc, PREFIX),
      control: resolveControlConfig(SHIPPED_CONTROL_CONFIG),
      clock: new SimulatedClock(T0),
      data: emptyDataSource,
      reasons: new Map(),
    },
    { routes: visualizer.routes },
  );
  browser = await launchChromium({ width: 1500, height: 1000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await monitor?.close();
  visualizer?.close();
  await nats?.stop();
});

const svgState = (page: Page, machine: string, cls: string) =>
  page
    .locator(`svg[data-machine="${machine}"] g.state.${cls}`)
    .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state')));

describe('live machine visualizer', () => {
  it('draws every machine, lists and follows a live family, and replays it from the journal', async () => {
    const page = await browser.context.newPage();
    await page.goto(new URL('machines', monitor.url).href);
    await page.waitForFunction('document.body.dataset.live === "yes"', undefined, { timeout: 15_000 });

    // Every machine of the registry drawn, one node per state.
    for (const entry of machineRegistry) {
      const states = describeMachine(entry.machine).states.map((s) => s.key);
      const drawn = await page
        .locator(`svg[data-machine="${entry.name}"] g.state`)
        .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-state')));
      expect(drawn.sort()).toEqual([...states].sort());
    }

    // A real family: an instrument order of +2 driven to completion by the stack handler.
    const { handler, broker, clock } = await makeStack(nc, PREFIX);
    const io = await handler.createInstrumentOrder({
      strategyName: 's',
      instrumentCode: 'SOFR',
      orderType: 'market',
      trade: 2,
    });
    const root = String(io.id);
    await page.fill('#follow-root', root);
    await page.click('#follow-btn');
    await drive(handler, broker);
    const orders = [
      ...handler.core.orders('instrument'),
      ...handler.core.orders('contract'),
      ...handler.core.orders('broker'),
    ];
    expect(orders.length).toBeGreaterThanOrEqual(3);
    // The machine state each holds (older records name some states differently).
    const stateOf = (o: (typeof orders)[number]) => machineStateOf(o.level, { ...o }) ?? '';
    expect(handler.core.instrumentOrder(io.id)?.state).toBe('completed');
    // Every actor of the family listed with its current state, as the stack handler holds it.
    for (const o of orders) {
      const row = page.locator(`#actors tr[data-actor="${o.level}:${o.id}"]`);
      await expect.poll(() => row.getAttribute('data-state'), { timeout: 15_000 }).toBe(stateOf(o));
      expect(await row.locator('.badge').innerText()).toBe(stateOf(o));
    }
    // ...and highlighted in its machine's drawing.
    const byMachine = { instrument: 'instrument-order', contract: 'contract-order', broker: 'broker-order' };
    for (const o of orders) expect(await svgState(page, byMachine[o.level], 'current')).toContain(stateOf(o));
    expect(await page.locator('#follow-log tr').count()).toBeGreaterThanOrEqual(orders.length);
    // Focused: the family's orders and the algo and lock actors working for them (root = the family).
    const focused = await page
      .locator('#actors tr.focus')
      .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-actor') ?? ''));
    expect(focused.filter((a) => /^(instrument|contract|broker):/.test(a)).sort()).toEqual(
      orders.map((o) => `${o.level}:${o.id}`).sort(),
    );
    expect(focused.every((a) => /^(instrument|contract|broker|algo|lock):/.test(a))).toBe(true);

    // A roll-status actor: a real change on the roll journal (the priced contract known).
    await (
      await JetStreamPriceStore.open(nc, PREFIX)
    ).putMultiplePrices('SOFR', {
      times: Float64Array.from([T0 - 86_400_000]),
      price: Float64Array.from([96]),
      forward: Float64Array.from([96.1]),
      carry: Float64Array.from([96.1]),
      priceContract: ['20261200'],
      forwardContract: ['20270300'],
      carryContract: ['20270300'],
    });
    await changeRollState({ nc, prefix: PREFIX, clock }, 'SOFR', 'Passive');
    const roll = page.locator('#actors tr[data-actor="roll:SOFR"]');
    await expect.poll(() => roll.getAttribute('data-state'), { timeout: 15_000 }).toBe('Passive');
    expect(await svgState(page, 'roll-status', 'occupied')).toEqual(['Passive']);
    await page.screenshot({ path: 'test-results/visualizer-live.png', fullPage: true });

    // Replay from the journal: step by step, the highlighted states move with the steps.
    await page.fill('#replay-root', root);
    await page.click('#replay-btn');
    await page.waitForSelector('#steps tr');
    const steps = await page.locator('#steps tr').count();
    expect(steps).toBeGreaterThanOrEqual(orders.length);
    expect(await page.locator('#step-pos').innerText()).toBe(`step 1 / ${steps}`);
    const first = page.locator('#steps tr.now');
    expect(await first.locator('td').nth(1).innerText()).toBe(`instrument:${root}`);
    expect(await svgState(page, 'instrument-order', 'current')).toEqual([
      await first.getAttribute('data-state'),
    ]);
    expect(await svgState(page, 'broker-order', 'current')).toEqual([]);
    await page.click('#next');
    expect(await page.locator('#step-pos').innerText()).toBe(`step 2 / ${steps}`);
    for (let i = 2; i < steps; i++) await page.click('#next');
    expect(await page.locator('#step-pos').innerText()).toBe(`step ${steps} / ${steps}`);
    // At the last step every member shows the state it ended in.
    for (const o of orders) expect(await svgState(page, byMachine[o.level], 'current')).toContain(stateOf(o));
    await page.click('#prev');
    expect(await page.locator('#step-pos').innerText()).toBe(`step ${steps - 1} / ${steps}`);
    await page.screenshot({ path: 'test-results/visualizer-replay.png' });

    // A root that is not an id is refused; an unknown family replays to nothing.
    const bad = await fetch(new URL('api/visualizer/replay?root=a.b', monitor.url));
    expect(bad.status).toBe(400);
    const none = (await (await fetch(new URL('api/visualizer/replay?root=999999', monitor.url))).json()) as {
      steps: unknown[];
    };
    expect(none.steps).toEqual([]);
    await handler.close();

    // Once its journal subjects are purged (end of day), the family replays from its history record.
    await (await jetstreamManager(nc)).streams.purge('VIZ_STACK', { filter: 'viz.stack.>' });
    const fromHistory = await visualizer.feed.replay(root);
    expect(fromHistory.map((e) => `${e.kind}:${e.id}`).sort()).toEqual(
      orders.map((o) => `${o.level}:${o.id}`).sort(),
    );
    for (const o of orders) {
      expect(fromHistory.find((e) => e.kind === o.level && e.id === String(o.id))?.event).toBe(
        'COMPLETED (history)',
      );
    }
  }, 120_000);
});
