/**
 * The monitor a trader steers from (issue 14 §4), in headless Chromium against a real
 * nats-server: the monitor's data service (actors/monitor-responders.ts), a real stack handler
 * with its order services (fills, locks), the process-control service, and the monitor server
 * with operator controls. Updates arrive by server-sent events only. Screenshots:
 * test-results/monitor-*.png.
 */
import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonitorResponders } from '../../actors/monitor-responders.ts';
import { startTradeLimitsService } from '../../actors/trade-limits-service.ts';
import { startOrderServices } from '../../actors/stack/services.ts';
import type { StackHandler } from '../../actors/stack/stack-handler.ts';
import { startControlService } from '../../actors/supervisor/control-service.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { staticUniverse } from '../../actors/universe.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { resolveControlConfig } from '../../src/domain/process-control/config.ts';
import { SHIPPED_CONTROL_CONFIG } from '../../src/domain/process-control/shipped.ts';
import { JetStreamCapitalStore } from '../../src/store/capital-store.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { JetStreamStrategyStore } from '../../src/store/strategy-store.ts';
import { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import { natsMonitorControls } from '../../src/web/monitor/controls.ts';
import { natsMonitorDataSource } from '../../src/web/monitor/data-source.ts';
import { type MonitorServer, startMonitorServer } from '../../src/web/monitor/server.ts';
import { testLogger } from '../supervisor/helpers.ts';
import { launchChromium, type TestBrowser } from '../support/browser.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, makeStack, T0 } from '../stack/helpers.ts';

const PREFIX = 'mon';
const TOKEN = 'operator-secret-token';
const DAY = 86_400_000;
let nats: TestNats;
let nc: NatsConnection;
let store: ProcessStore;
let limits: TradeLimitsStore;
let handler: StackHandler;
let services: Service[] = [];
let monitor: MonitorServer;
let browser: TestBrowser;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect('monitor-test');
  const clock = new SimulatedClock(T0);
  // Prices: SOFR fresh (yesterday), GOLD stale (ten days old).
  const prices = await JetStreamPriceStore.open(nc, PREFIX);
  const days = (n: number, end: number) =>
    Float64Array.from({ length: n }, (_, i) => end - (n - 1 - i) * DAY);
  await prices.putAdjustedPrices('SOFR', {
    times: days(30, T0 - DAY),
    values: Float64Array.from({ length: 30 }, (_, i) => 99 + i * 0.05),
  });
  await prices.putAdjustedPrices('GOLD', {
    times: days(20, T0 - 10 * DAY),
    values: new Float64Array(20).fill(1800),
  });
  // Capital: an equity curve of five days, 2,500 made since yesterday.
  const capital = await JetStreamCapitalStore.open(nc, PREFIX);
  for (let i = 0; i < 5; i++) {
    const pnl = i * 1000 + (i === 4 ? 1500 : 0);
    await capital.appendTotal({
      timestamp: T0 - (4 - i) * DAY,
      kind: i === 0 ? 'initialise' : 'update',
      broker_account_value: 1_000_000 + pnl,
      total_capital: 1_000_000 + pnl,
      max_capital: 1_000_000 + pnl,
      accumulated_pnl: pnl,
    });
  }
  // ewmac's stored optimal position for SOFR and the buffer band of its last run (ten days).
  const strategies = await JetStreamStrategyStore.open(nc, PREFIX);
  await strategies.putOptimalPositions('ewmac', [
    {
      strategy_name: 'ewmac',
      instrument_code: 'SOFR',
      lower_position: 2.5,
      upper_position: 3.5,
      reference_price: 100.45,
      reference_contract: '202612',
      reference_datetime: new Date(T0 - DAY).toISOString(),
      price_date: new Date(T0 - DAY).toISOString().slice(0, 10),
    },
  ]);
  const dates = Array.from({ length: 10 }, (_, i) =>
    new Date(T0 - (10 - i) * DAY).toISOString().slice(0, 10),
  );
  await strategies.putDiagnostics('ewmac', {
    strategy_name: 'ewmac',
    created: new Date(T0 - DAY).toISOString(),
    capital: 1_000_000,
    dates,
    instruments: {
      SOFR: {
        lower_position: dates.map((_, i) => 1 + i * 0.15),
        upper_position: dates.map((_, i) => 2 + i * 0.15),
      },
    },
    skipped: [],
  });
  // A real order family filled through the stack handler: positions and fills.
  const stack = await makeStack(nc, PREFIX, { clock });
  handler = stack.handler;
  await handler.createInstrumentOrder({
    strategyName: 'ewmac',
    instrumentCode: 'SOFR',
    orderType: 'market',
    trade: 3,
  });
  await drive(handler, stack.broker);
  store = await ProcessStore.open(nc, PREFIX);
  const control = resolveControlConfig(SHIPPED_CONTROL_CONFIG);
  limits = await TradeLimitsStore.open(nc, PREFIX);
  await limits.set({ instrument_code: 'SOFR' }, 1, 10, T0);
  const universe = staticUniverse({ instruments: ['SOFR', 'GOLD'], strategies: ['ewmac'] });
  services = [
    await startMonitorResponders(nc, PREFIX, clock, { strategies: ['ewmac'] }),
    await startTradeLimitsService(nc, PREFIX, limits, clock, universe),
    await startOrderServices(nc, handler, PREFIX, universe),
    await startControlService({
      nc,
      prefix: PREFIX,
      store,
      control,
      clock,
      host: 'h1',
      log: testLogger().log,
    }),
  ];
  monitor = await startMonitorServer(
    { store, control, clock, data: natsMonitorDataSource(nc, PREFIX, 5000), reasons: new Map() },
    {
      controls: natsMonitorControls(nc, PREFIX, TOKEN),
      live: { logs: { nc, prefix: PREFIX }, intervalMs: 300 },
    },
  );
  browser = await launchChromium({ width: 1500, height: 1000 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await monitor?.close();
  for (const s of services) await s.stop().catch(() => undefined);
  await handler?.close();
  await nats?.stop();
});

const chartPoints = (page: Page, id: string) =>
  page.evaluate(`Chart.getChart(${JSON.stringify(id)}).data.datasets.map((d) => d.data.length)`) as Promise<
    number[]
  >;

describe('monitor page', () => {
  it('is pushed live, draws capital, prices with fills, staleness, positions, fills search and logs; controls only for the operator', async () => {
    const page = await browser.context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.goto(monitor.url);
    await page.waitForFunction('document.getElementById("live").dataset.live === "yes"', undefined, {
      timeout: 20_000,
    });
    await page.waitForFunction(
      'Number(document.body.dataset.snapshots || 0) >= 1 && document.querySelector("#positions-strategy table")',
      undefined,
      { timeout: 30_000 },
    );

    // Capital and P&L today; the equity curve has one point per capital row.
    expect(await page.locator('#capital-total').innerText()).toBe('1,005,500');
    expect(await page.locator('#pnl-today').innerText()).toBe('2,500');
    expect(await chartPoints(page, 'equity-chart')).toEqual([5]);
    // A price chart per instrument: 30 SOFR prices, the fills marked.
    const sofr = page.locator('canvas[data-instrument="SOFR"]');
    expect(await sofr.getAttribute('data-points')).toBe('30');
    expect(Number(await sofr.getAttribute('data-fills'))).toBeGreaterThanOrEqual(1);
    expect(await page.locator('canvas[data-instrument="GOLD"]').getAttribute('data-fills')).toBe('0');
    // ewmac's SOFR position against its buffer band: ten days of band, the position from its fill.
    const band = page.locator('canvas[data-buffer="ewmac/SOFR"]');
    expect(await band.getAttribute('data-band')).toBe('10');
    expect(Number(await band.getAttribute('data-positions'))).toBeGreaterThanOrEqual(2);
    expect(await chartPoints(page, 'buffer-ewmac/SOFR')).toEqual([
      10,
      10,
      Number(await band.getAttribute('data-positions')),
    ]);
    const ys = (await page.evaluate(
      `Chart.getChart("buffer-ewmac/SOFR").data.datasets[2].data.map((p) => p.y)`,
    )) as number[];
    expect([ys[0], ys[ys.length - 1]]).toEqual([0, 3]); // flat before the fill, 3 after, held to now
    // Trade limits: the stored SOFR limit with its spare capacity.
    expect(await page.locator('#trade-limits tr[data-limit="SOFR//1"] td').first().innerText()).toBe('SOFR');
    expect(await page.locator('#limit-set').isDisabled()).toBe(true);
    // Staleness: GOLD highlighted, SOFR not.
    expect(await page.locator('#prices tr.stale').allInnerTexts()).toEqual([expect.stringContaining('GOLD')]);
    // Positions by strategy and by contract (with its contract date), no break.
    expect(await page.locator('#positions-strategy td').allInnerTexts()).toEqual(['ewmac', 'SOFR', '3']);
    expect(await page.locator('#positions-contract td').allInnerTexts()).toEqual(['SOFR', '202612', '3']);
    expect(await page.locator('tr.break').count()).toBe(0);
    // The day's fills, and a search back through history.
    const fillRows = await page.locator('#fills tr').count();
    expect(fillRows).toBeGreaterThan(1);
    await page.fill('#fill-search', 'sofr ewmac');
    await page.selectOption('#fill-days', '3650');
    await page.click('#fill-search-form button');
    await expect.poll(() => page.locator('#fill-mode').innerText()).toBe(`search: ${fillRows - 1} fills`);
    await page.fill('#fill-search', 'GOLD');
    await page.click('#fill-search-form button');
    await expect.poll(() => page.locator('#fill-mode').innerText()).toBe('search: 0 fills');

    // Logs pushed as they are published, with filters.
    nc.publish(
      `${PREFIX}.logs.run_systems.warn`,
      JSON.stringify({
        level: 40,
        time: new Date(T0).toISOString(),
        process: 'run_systems',
        msg: 'a warning to see',
      }),
    );
    await expect
      .poll(() => page.locator('#logs').innerText(), { timeout: 15_000 })
      .toContain('a warning to see');
    await page.selectOption('#log-level', '50');
    expect(await page.locator('#logs').innerText()).not.toContain('a warning to see');
    await page.selectOption('#log-level', '30');

    // Read-only: every control disabled.
    const pause = page.locator('#processes tr[data-process="run_stack_handler"] button[data-status="PAUSE"]');
    expect(await pause.isDisabled()).toBe(true);
    expect(await page.locator('#locks tr[data-instrument="SOFR"] button').isDisabled()).toBe(true);
    await page.screenshot({ path: 'test-results/monitor-readonly.png', fullPage: true });

    // A wrong token leaves it read-only; the operator's token enables the controls.
    await page.fill('#token', 'wrong');
    await page.click('#signin-btn');
    await expect.poll(() => page.locator('#signin-msg').innerText()).toBe('wrong operator token');
    expect(await pause.isDisabled()).toBe(true);
    await page.fill('#token', TOKEN);
    await page.click('#signin-btn');
    await expect.poll(() => page.locator('#role').innerText()).toBe('operator (controls enabled)');
    expect(await pause.isDisabled()).toBe(false);

    // PAUSE with confirmation: cancelled changes nothing, confirmed changes the stored status.
    await pause.click();
    expect(await page.locator('#confirm-text').innerText()).toBe('Set run_stack_handler to PAUSE?');
    await page.screenshot({ path: 'test-results/monitor-confirm.png' });
    await page.click('#confirm-cancel');
    expect(await store.getStatus('run_stack_handler')).toBe('GO');
    await pause.click();
    await page.click('#confirm-ok');
    await expect.poll(() => store.getStatus('run_stack_handler'), { timeout: 10_000 }).toBe('PAUSE');
    await expect
      .poll(() => page.locator('#processes tr[data-process="run_stack_handler"] td.st-PAUSE').count(), {
        timeout: 10_000,
      })
      .toBe(1);
    // Mark finished and GO again.
    await page.locator('#processes tr[data-process="run_stack_handler"] button[data-status="GO"]').click();
    await page.click('#confirm-ok');
    await expect.poll(() => store.getStatus('run_stack_handler'), { timeout: 10_000 }).toBe('GO');
    // Lock SOFR through the stack handler's service, then unlock.
    await page.locator('#locks tr[data-instrument="SOFR"] button').click();
    expect(await page.locator('#confirm-text').innerText()).toBe('Lock SOFR?');
    await page.click('#confirm-ok');
    await expect
      .poll(() => page.locator('#signin-msg').innerText(), { timeout: 10_000 })
      .toBe('done: lock SOFR');
    expect(handler.core.isLocked('SOFR')).toBe(true);
    await expect.poll(() => page.locator('#locks tr.locked').count(), { timeout: 15_000 }).toBe(1);
    await page.screenshot({ path: 'test-results/monitor-operator.png', fullPage: true });
    await page.locator('#locks tr[data-instrument="SOFR"] button').click();
    await page.click('#confirm-ok');
    await expect.poll(() => handler.core.isLocked('SOFR'), { timeout: 10_000 }).toBe(false);

    // A trade limit set from the form, with confirmation, through the trade-limits service.
    expect(await page.locator('#limit-set').isDisabled()).toBe(false);
    await page.locator('#trade-limits tr[data-limit="SOFR//1"] button').click();
    expect(await page.locator('#limit-instrument').inputValue()).toBe('SOFR');
    await page.fill('#limit-value', '4');
    await page.click('#limit-set');
    expect(await page.locator('#confirm-text').innerText()).toBe(
      'Set the trade limit of SOFR over 1 days to 4?',
    );
    await page.screenshot({ path: 'test-results/monitor-trade-limit-confirm.png' });
    await page.click('#confirm-ok');
    await expect
      .poll(async () => (await limits.list()).find((l) => l.instrumentCode === 'SOFR')?.tradeLimit, {
        timeout: 10_000,
      })
      .toBe(4);
    await expect
      .poll(() => page.locator('#trade-limits tr[data-limit="SOFR//1"] td').nth(3).innerText(), {
        timeout: 15_000,
      })
      .toBe('4');
    await page.locator('#buffer-charts').screenshot({ path: 'test-results/monitor-buffers.png' });
    // Signed out: read-only again. Links to the machine view and the reports.
    await page.click('#signout-btn');
    await expect.poll(() => pause.isDisabled()).toBe(true);
    expect(await page.locator('a[href="/machines"]').count()).toBe(1);
    expect(await page.locator('a[href="/reports/"]').count()).toBe(1);
    // No polling: the snapshot JSON is never fetched; only the event stream.
    expect(requests.filter((p) => p === '/api/monitor')).toEqual([]);
    expect(requests.filter((p) => p === '/api/monitor/events')).toHaveLength(1);
    expect(requests.some((p) => p.startsWith('http'))).toBe(false);
    await page.close();
  }, 180_000);

  it('refuses a control from another origin, without a session, or with a bad body; nothing changes', async () => {
    const url = new URL('api/control', monitor.url).href;
    const body = JSON.stringify({ action: 'status', process: 'run_systems', status: 'STOP' });
    const host = new URL(monitor.url).host;
    const foreign = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
      body,
    });
    expect(foreign.status).toBe(403);
    const noSession = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: `http://${host}` },
      body,
    });
    expect(noSession.status).toBe(403);
    const login = await fetch(new URL('api/session', monitor.url).href, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: `http://${host}` },
      body: JSON.stringify({ token: TOKEN }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const bad = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: `http://${host}`, cookie },
      body: JSON.stringify({ action: 'status', process: 'run_systems', status: 'SOMETIMES' }),
    });
    expect(bad.status).toBe(400);
    const own = { 'content-type': 'application/json', origin: `http://${host}`, cookie };
    const notJson = await fetch(url, { method: 'POST', headers: own, body: '{"action":' });
    expect([notJson.status, await notJson.json()]).toEqual([
      400,
      { ok: false, error: 'request body is not valid JSON' },
    ]);
    const huge = await fetch(url, {
      method: 'POST',
      headers: own,
      body: JSON.stringify({
        action: 'status',
        process: 'run_systems',
        status: 'STOP',
        pad: 'x'.repeat(5000),
      }),
    });
    expect(huge.status).toBe(413);
    expect(await store.getStatus('run_systems')).toBe('GO');
    const ok = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: `http://${host}`, cookie },
      body,
    });
    expect(ok.status).toBe(200);
    expect(await store.getStatus('run_systems')).toBe('STOP');
    // Signing out ends the session: the same cookie no longer controls anything.
    const out = await fetch(new URL('api/session', monitor.url).href, { method: 'DELETE', headers: own });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^systack_operator=; Max-Age=0/);
    const after = await fetch(url, {
      method: 'POST',
      headers: own,
      body: JSON.stringify({ action: 'status', process: 'run_systems', status: 'GO' }),
    });
    expect(after.status).toBe(403);
    expect(await store.getStatus('run_systems')).toBe('STOP');
  });
});
