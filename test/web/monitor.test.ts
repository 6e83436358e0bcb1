import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { NatsConnection } from '@nats-io/transport-node';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { subject } from '../../src/bus/subjects.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { resolveControlConfig } from '../../src/domain/process-control/config.ts';
import { SHIPPED_CONTROL_CONFIG } from '../../src/domain/process-control/shipped.ts';
import { type MonitorDataSource, natsMonitorDataSource } from '../../src/web/monitor/data-source.ts';
import { type MonitorServer, startMonitorServer } from '../../src/web/monitor/server.ts';
import { timelineSvg } from '../../src/web/monitor/timeline.ts';
import { CHROMIUM, launchChromium } from '../support/browser.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const at = (hhmm: string) => Date.parse(`2026-11-20T${hhmm}:00Z`);
const control = resolveControlConfig(SHIPPED_CONTROL_CONFIG);
let nats: TestNats;
let nc: NatsConnection;
let store: ProcessStore;
let monitor: MonitorServer;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect('monitor');
  store = await ProcessStore.open(nc, 'mon');
  // A day in progress: prices updated, systems crashed, stack handler finished, capital running.
  await store.updateRecord('run_stack_handler', {
    lastStart: at('00:01'),
    lastEnd: at('19:45'),
    lastOutcome: 'finished',
  });
  await store.updateRecord('run_capital_update', { lastStart: at('01:00') });
  await store.acquireLease('run_capital_update', {
    owner: 'o',
    pid: 4242,
    host: 'trader',
    acquiredAt: at('01:00'),
    heartbeatAt: Date.now(),
  });
  await store.putMethods('run_capital_update', {
    update_total_capital: {
      executions: 9,
      lastRun: at('19:00'),
      lastEnd: at('19:01'),
      lastHeartbeat: at('20:10'),
      running: false,
    },
    strategy_allocation: {
      executions: 1,
      lastRun: at('01:00'),
      lastEnd: at('01:00'),
      lastHeartbeat: undefined,
      running: false,
    },
  });
  await store.updateRecord('run_daily_prices_updates', {
    lastStart: at('20:00'),
    lastEnd: at('20:40'),
    lastOutcome: 'finished',
  });
  await store.updateRecord('run_systems', {
    lastStart: at('20:41'),
    lastEnd: at('20:55'),
    recentlyCrashed: true,
    lastOutcome: 'crashed',
  });
  await store.setStatus('run_reports', 'NO-RUN', 0);
  await store.setStatus('run_backups', 'PAUSE', 0);
});
afterAll(async () => {
  await monitor?.close();
  await nats?.stop();
});

describe('monitor data source over NATS', () => {
  it('gives null when the owning service is absent, rows when it answers', async () => {
    const ds = natsMonitorDataSource(nc, 'mon', 300);
    expect(await ds.prices()).toBeNull();
    const sub = nc.subscribe(subject('mon', 'monitor', 'prices'), {
      callback: (_e, m) => {
        m.respond(JSON.stringify({ ok: true, result: [{ instrument_code: 'SOFR', age_minutes: 3 }] }));
      },
    });
    expect(await ds.prices()).toEqual([{ instrument_code: 'SOFR', age_minutes: 3 }]);
    sub.unsubscribe();
  });
});

describe('timeline svg', () => {
  it('draws a bar per run coloured by outcome and a now line', () => {
    const svg = timelineSvg(
      [
        {
          name: 'a',
          window: '20:00-23:50',
          running: true,
          crashed: false,
          last_start: '2026-11-20T20:00:00.000Z',
          last_end: null,
        },
        {
          name: 'b<x>',
          window: '20:10-19:30',
          running: false,
          crashed: true,
          last_start: '2026-11-20T20:10:00.000Z',
          last_end: '2026-11-20T20:20:00.000Z',
        },
      ],
      at('21:00'),
      'UTC',
    );
    expect(svg.match(/class="run running"/g)).toHaveLength(1);
    expect(svg.match(/class="run crashed"/g)).toHaveLength(1);
    expect(svg.match(/class="window"/g)).toHaveLength(1); // 20:10-19:30 never opens (no wrap)
    expect(svg).toContain('b&#60;x&#62;');
    expect(svg).toContain('class="now"');
  });
});

/** A request with a chosen Host header (fetch does not let a page set it; a rebinding attack does). */
function getWithHost(
  url: string,
  host: string | undefined,
  method = 'GET',
  path = '/api/monitor',
): Promise<number> {
  return answer(url, host, method, path).then((r) => r.status);
}

function answer(
  url: string,
  host: string | undefined,
  method: string,
  path: string,
): Promise<{ status: number; allow: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = httpRequest(
      { host: u.hostname, port: u.port, path, method, setHost: host === undefined },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          const allow = res.headers.allow;
          resolve({ status: res.statusCode ?? 0, allow, body });
        });
      },
    );
    if (host !== undefined) req.setHeader('host', host);
    req.on('error', reject);
    req.end();
  });
}

describe('monitor server Host header (DNS rebinding)', () => {
  it('answers only 127.0.0.1:port and localhost:port', async () => {
    const data: MonitorDataSource = {
      prices: async () => [],
      orders: async () => null,
      positions: async () => null,
      criticalLogs: async () => [],
    };
    // The machine visualizer's pages are served through the monitor server (its `routes`).
    const visualizer = new Hono().get('/machines', (c) => c.text('machines'));
    const m = await startMonitorServer(
      { store, control, clock: new SimulatedClock(at('21:30')), data },
      { routes: visualizer },
    );
    try {
      expect(await getWithHost(m.url, `127.0.0.1:${m.port}`, 'GET', '/machines')).toBe(200);
      expect(await getWithHost(m.url, `evil.example:${m.port}`, 'GET', '/machines')).toBe(403);
      expect(await getWithHost(m.url, `127.0.0.1:${m.port}`)).toBe(200);
      expect(await getWithHost(m.url, `localhost:${m.port}`)).toBe(200);
      expect(await getWithHost(m.url, `LocalHost:${m.port}`)).toBe(200);
      for (const bad of [
        `evil.example:${m.port}`,
        'evil.example',
        '127.0.0.1',
        `127.0.0.1:${m.port + 1}`,
        `localhost.evil.example:${m.port}`,
      ]) {
        expect(await getWithHost(m.url, bad), bad).toBe(403);
      }
      // No Host at all is a malformed HTTP/1.1 request: the server adapter refuses it (400).
      expect(await getWithHost(m.url, '')).toBe(400);
      expect(await getWithHost(m.url, `127.0.0.1:${m.port}`, 'POST')).toBe(405);
    } finally {
      await m.close();
    }
  });

  it('answers only GET (and the session and control POSTs): 405 with Allow, 404 for an unknown path', async () => {
    const data: MonitorDataSource = {
      prices: async () => [],
      orders: async () => null,
      positions: async () => null,
      criticalLogs: async () => [],
    };
    const m = await startMonitorServer(
      { store, control, clock: new SimulatedClock(at('21:30')), data },
      { routes: new Hono().get('/machines', (c) => c.text('machines')) },
    );
    const host = `127.0.0.1:${m.port}`;
    try {
      for (const [method, path, allow] of [
        ['PUT', '/api/monitor', 'GET'],
        ['DELETE', '/', 'GET'],
        ['HEAD', '/api/monitor/events', 'GET'],
        ['POST', '/machines', 'GET'],
        ['PATCH', '/api/session', 'GET, POST, DELETE'],
        ['GET', '/api/control', 'POST'],
      ] as const) {
        const r = await answer(m.url, host, method, path);
        expect([method, path, r.status, r.allow]).toEqual([method, path, 405, allow]);
      }
      expect(await answer(m.url, host, 'GET', '/nowhere')).toMatchObject({ status: 404, body: 'not found' });
      // No reports given: no report routes.
      expect((await answer(m.url, host, 'GET', '/reports/')).status).toBe(404);
      expect(await answer(m.url, host, 'GET', '/machines')).toMatchObject({ status: 200, body: 'machines' });
      // A wrong Host is refused before the method is looked at.
      expect((await answer(m.url, 'evil.example', 'PUT', '/api/monitor')).status).toBe(403);
      // The bundled Chart.js, from node_modules (no CDN).
      const chart = await answer(m.url, host, 'GET', '/vendor/chart.umd.min.js');
      expect(chart.status).toBe(200);
      expect(chart.body).toContain('Chart');
    } finally {
      await m.close();
    }
  });
});

describe.skipIf(!existsSync(CHROMIUM))('monitor page in headless Chromium', () => {
  it('renders processes, methods, timeline, no-data panels and critical logs, pushed by server-sent events', async () => {
    const data: MonitorDataSource = {
      prices: async () => [
        { instrument_code: 'SOFR', last_price_time: '2026-11-20T20:40:00Z', age_minutes: 50 },
        { instrument_code: 'US10', last_price_time: '2026-11-20T21:25:00Z', age_minutes: 5 },
      ],
      orders: async () => null,
      positions: async () => [{ strategy_name: 'example', instrument_code: 'SOFR', position: 3 }],
      criticalLogs: async () => [
        {
          time: '2026-11-20T20:55:00Z',
          process: 'run_systems',
          msg: 'run_systems died: pid 777 is not running',
        },
      ],
    };
    monitor = await startMonitorServer({
      store,
      control,
      clock: new SimulatedClock(at('21:30')),
      data,
      reasons: new Map([['run_reports', 'status is NO-RUN']]),
    });
    expect(monitor.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const browser = await launchChromium({ width: 1280, height: 1000 });
    try {
      const page = await browser.context.newPage();
      await page.goto(monitor.url);
      await page.waitForFunction('Number(document.body.dataset.snapshots || 0) >= 1', undefined, {
        timeout: 10_000,
      });
      const processes = await page.locator('#processes').innerText();
      expect(processes).toContain('run_capital_update');
      expect(processes).toContain('4242@trader');
      expect(processes).toContain('NO-RUN');
      expect(processes).toContain('status is NO-RUN');
      expect(await page.locator('#processes td.crashed').count()).toBe(1);
      expect(await page.locator('#methods').innerText()).toContain('update_total_capital');
      expect(await page.locator('#orders').innerText()).toBe('no data (service not running)');
      expect(await page.locator('#prices').innerText()).toContain('US10');
      expect(await page.locator('#critical').innerText()).toContain('run_systems died');
      expect(await page.locator('#timeline svg rect.run').count()).toBe(4);
      expect(await page.locator('#timeline svg rect.run.running').count()).toBe(1);
      await page.screenshot({ path: 'test-results/monitor.png', fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
