/**
 * The monitor's HTTP server (production doc "System monitor") on Hono (`@hono/node-server`),
 * bound to 127.0.0.1 by default:
 *   GET  /                        the page
 *   GET  /api/monitor             the snapshot (JSON)
 *   GET  /api/monitor/events      server-sent events: snapshot on change, log lines live (live.ts)
 *   GET  /api/monitor/fills       fills searched back through history (?days=N&q=words)
 *   GET  /vendor/chart.umd.min.js Chart.js from the installed package (no CDN)
 *   GET  /api/session             { role: operator | monitor, controls: available? }
 *   POST /api/session             { token } → operator session cookie; DELETE signs out
 *   POST /api/control             { action, ... } (controls.ts), operator session only
 * and when given the stored reports, `GET /reports/` and `GET /reports/<name>.html`; more GET
 * routes (the machine visualizer) are mounted from `opts.routes`.
 * Every request's Host header must name this server (DNS rebinding: 403); any other method than
 * those above is answered 405 with `Allow`; an unknown path 404. Every POST / DELETE must come
 * from this server's own page (its Origin header) with a JSON body of at most 4 KiB.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { type Context, Hono, type Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { chartLibrary } from '../../../actors/reports/chart-library.ts';
import type { ReportPages } from '../../../actors/reports/pages.ts';
import { controlAction, type MonitorControls, OperatorSessions, SESSION_COOKIE } from './controls.ts';
import { type MonitorLive, startMonitorLive } from './live.ts';
import { MONITOR_HTML } from './page.ts';
import { collectMonitorSnapshot, type MonitorSources } from './snapshot.ts';

const MAX_BODY = 4096;
const NO_STORE = { 'cache-control': 'no-store' };

/** The methods each path answers besides GET; every other path answers GET only. */
const METHODS: Record<string, string[]> = {
  '/api/session': ['GET', 'POST', 'DELETE'],
  '/api/control': ['POST'],
};

export interface MonitorServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function reportsIndex(rows: Array<{ name: string; generatedAt: number }>): string {
  const items = rows
    .map(
      (r) =>
        `<li><a href="/reports/${encodeURIComponent(r.name)}.html">${escapeHtml(r.name)}</a> <span class="muted">${new Date(r.generatedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC</span></li>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>systack reports</title></head><body style="font:13px system-ui,sans-serif;margin:16px"><h1 style="font-size:18px">Reports</h1><p><a href="/">monitor</a></p><ul id="reports">${items || '<li>none stored yet</li>'}</ul></body></html>`;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

export async function startMonitorServer(
  sources: MonitorSources,
  opts: {
    host?: string;
    port?: number;
    onError?: (err: unknown) => void;
    /** More GET routes (the machine visualizer, src/web/visualizer/routes.ts), mounted at `/`. */
    routes?: Hono;
    /** The stored reports: `/reports/` and `/reports/<name>.html`. */
    reports?: ReportPages;
    /** Operator controls; undefined: the page is read-only for everyone. */
    controls?: MonitorControls;
    /** Pushed updates; log lines need a connection allowed to subscribe to the log subjects. */
    live?: { logs?: Parameters<typeof startMonitorLive>[0]['logs']; intervalMs?: number };
  } = {},
): Promise<MonitorServer> {
  let allowedHosts = new Set<string>();
  const sessions = new OperatorSessions();
  const live: MonitorLive = startMonitorLive({
    collect: () => collectMonitorSnapshot(sources),
    logs: opts.live?.logs,
    intervalMs: opts.live?.intervalMs,
    onError: opts.onError,
  });
  const operator = (c: Context) =>
    opts.controls !== undefined && sessions.valid(getCookie(c, SESSION_COOKIE));
  const app = new Hono();
  app.onError((err, c) => {
    opts.onError?.(err);
    return c.text(String(err), 500);
  });
  app.notFound((c) => c.text('not found', 404));
  // DNS rebinding: a page from another site resolving its name to 127.0.0.1 sends its own
  // Host header; only the names this server is reached by locally are answered.
  app.use(async (c, next) => {
    if (!allowedHosts.has((c.req.header('host') ?? '').toLowerCase())) return c.text('forbidden host', 403);
    const allowed = METHODS[c.req.path] ?? ['GET'];
    if (!allowed.includes(c.req.method)) return c.body(null, 405, { allow: allowed.join(', ') });
    return next();
  });
  /** A POST from this server's own page: same-origin, JSON (a form from another site is neither). */
  const ownPage = async (c: Context, next: Next) => {
    const origin = (c.req.header('origin') ?? '').replace(/^http:\/\//, '').toLowerCase();
    if (!allowedHosts.has(origin) || !(c.req.header('content-type') ?? '').startsWith('application/json'))
      return c.json({ ok: false, error: 'not from the monitor page' }, 403);
    return next();
  };
  const limit = bodyLimit({
    maxSize: MAX_BODY,
    onError: (c) => c.json({ ok: false, error: `request body over ${MAX_BODY} bytes` }, 413),
  });
  const body = async (c: Context): Promise<unknown> => {
    const text = await c.req.text();
    try {
      return JSON.parse(text || '{}');
    } catch {
      return undefined;
    }
  };
  const notJson = { ok: false, error: 'request body is not valid JSON' };

  app.get('/', (c) => c.html(MONITOR_HTML, 200, NO_STORE));
  app.get('/index.html', (c) => c.html(MONITOR_HTML, 200, NO_STORE));
  app.get('/vendor/chart.umd.min.js', (c) =>
    c.body(chartLibrary(), 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'max-age=3600',
    }),
  );
  app.get('/api/monitor', async (c) => c.json(await collectMonitorSnapshot(sources), 200, NO_STORE));
  app.get('/api/monitor/events', (c) => live.attach(c));
  app.get('/api/monitor/fills', async (c) => {
    const days = Number(c.req.query('days') ?? '1');
    const words = (c.req.query('q') ?? '').slice(0, 100);
    if (!Number.isFinite(days) || days <= 0 || days > 3660)
      return c.json(
        { error: `days must be a number of days from 0 to 3660, got '${c.req.query('days')}'` },
        400,
        NO_STORE,
      );
    const read = sources.data.fills;
    return c.json({ fills: read ? await read({ days, q: words || undefined }) : null }, 200, NO_STORE);
  });
  app.get('/api/session', (c) =>
    c.json(
      { role: operator(c) ? 'operator' : 'monitor', controls: opts.controls !== undefined },
      200,
      NO_STORE,
    ),
  );
  app.delete('/api/session', ownPage, (c) => {
    sessions.close(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.json({ ok: true, role: 'monitor' }, 200, NO_STORE);
  });
  app.post('/api/session', ownPage, limit, async (c) => {
    const b = await body(c);
    if (b === undefined) return c.json(notJson, 400);
    const token = (b as { token?: unknown } | null)?.token;
    if (!opts.controls || typeof token !== 'string' || !opts.controls.verify(token))
      return c.json({ ok: false, error: 'wrong operator token' }, 403);
    setCookie(c, SESSION_COOKIE, sessions.open(), { httpOnly: true, sameSite: 'Strict', path: '/' });
    return c.json({ ok: true, role: 'operator' }, 200, NO_STORE);
  });
  app.post('/api/control', ownPage, limit, async (c) => {
    const b = await body(c);
    if (b === undefined) return c.json(notJson, 400);
    if (!operator(c)) return c.json({ ok: false, error: 'controls need the operator role' }, 403);
    const parsed = controlAction.safeParse(b);
    if (!parsed.success)
      return c.json({ ok: false, error: parsed.error.issues[0]?.message ?? 'bad request' }, 400);
    try {
      return c.json({ ok: true, result: await opts.controls!.run(parsed.data) }, 200, NO_STORE);
    } catch (err) {
      return c.json({ ok: false, error: errorText(err) }, 409);
    }
  });
  const reports = opts.reports;
  if (reports) {
    const index = async (c: Context) => c.html(reportsIndex(await reports.list()), 200, NO_STORE);
    app.get('/reports', index);
    app.get('/reports/', index);
    app.get('/reports/:file{[a-z_]+\\.html}', async (c) => {
      const html = await reports.html(c.req.param('file').slice(0, -'.html'.length));
      return html === undefined ? c.notFound() : c.html(html, 200, NO_STORE);
    });
  }
  if (opts.routes) app.route('/', opts.routes);

  const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server;
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts = monitorHosts(host, port);
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        live.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The Host header values the monitor answers: loopback names with its port, and the bound host. */
export function monitorHosts(host: string, port: number): Set<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  if (!['0.0.0.0', '::', '127.0.0.1', 'localhost'].includes(host)) {
    names.push(host.includes(':') ? `[${host}]` : host);
  }
  return new Set(names.map((n) => `${n.toLowerCase()}:${port}`));
}
