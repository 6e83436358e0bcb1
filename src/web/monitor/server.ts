/**
 * The monitor's HTTP server (production doc "System monitor"), bound to 127.0.0.1 by default:
 *   GET  /                        the page
 *   GET  /api/monitor             the snapshot (JSON)
 *   GET  /api/monitor/events      server-sent events: snapshot on change, log lines live (live.ts)
 *   GET  /api/monitor/fills       fills searched back through history (?days=N&q=words)
 *   GET  /vendor/chart.umd.min.js Chart.js from the installed package (no CDN)
 *   GET  /api/session             { role: operator | monitor, controls: available? }
 *   POST /api/session             { token } → operator session cookie; DELETE signs out
 *   POST /api/control             { action, ... } (controls.ts), operator session only
 * and when given the stored reports, `GET /reports/` and `GET /reports/<name>.html`.
 * Every request's Host header must name this server (DNS rebinding); every POST must come from
 * this server's own page (its Origin header) with a JSON body.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chartLibrary } from '../../../actors/reports/chart-library.ts';
import type { ReportPages } from '../../../actors/reports/pages.ts';
import { controlAction, type MonitorControls, OperatorSessions, SESSION_COOKIE } from './controls.ts';
import { type MonitorLive, startMonitorLive } from './live.ts';
import { MONITOR_HTML } from './page.ts';
import { collectMonitorSnapshot, type MonitorSources } from './snapshot.ts';

const MAX_BODY = 4096;

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'));
      } catch {
        reject(new Error('request body is not valid JSON'));
      }
    });
    req.on('error', reject);
  });
}

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

export async function startMonitorServer(
  sources: MonitorSources,
  opts: {
    host?: string;
    port?: number;
    onError?: (err: unknown) => void;
    /** More GET routes (the machine visualizer, src/web/visualizer/routes.ts); true = answered. */
    routes?: (req: IncomingMessage, res: ServerResponse) => boolean;
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
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res
      .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers })
      .end(JSON.stringify(body));
  const operator = (req: IncomingMessage) =>
    opts.controls !== undefined && sessions.valid(req.headers.cookie);
  /** A POST from this server's own page: same-origin, JSON (a form from another site is neither). */
  const ownPage = (req: IncomingMessage) =>
    allowedHosts.has((req.headers.origin ?? '').replace(/^http:\/\//, '').toLowerCase()) &&
    (req.headers['content-type'] ?? '').startsWith('application/json');
  const post = (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (!ownPage(req)) return json(res, 403, { ok: false, error: 'not from the monitor page' });
    if (path === '/api/session' && req.method === 'DELETE') {
      sessions.close(req.headers.cookie);
      return json(
        res,
        200,
        { ok: true, role: 'monitor' },
        { 'set-cookie': `${SESSION_COOKIE}=; Max-Age=0; Path=/` },
      );
    }
    readJson(req).then(
      async (body) => {
        if (path === '/api/session') {
          const token = (body as { token?: unknown }).token;
          if (!opts.controls || typeof token !== 'string' || !opts.controls.verify(token))
            return json(res, 403, { ok: false, error: 'wrong operator token' });
          const id = sessions.open();
          return json(
            res,
            200,
            { ok: true, role: 'operator' },
            {
              'set-cookie': `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/`,
            },
          );
        }
        if (!operator(req)) return json(res, 403, { ok: false, error: 'controls need the operator role' });
        const parsed = controlAction.safeParse(body);
        if (!parsed.success)
          return json(res, 400, { ok: false, error: parsed.error.issues[0]?.message ?? 'bad request' });
        try {
          json(res, 200, { ok: true, result: await opts.controls!.run(parsed.data) });
        } catch (err) {
          json(res, 409, { ok: false, error: err instanceof Error ? err.message : String(err) });
        }
      },
      (err: unknown) =>
        json(res, 400, { ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  };
  const html = (res: ServerResponse, body: string | undefined) =>
    body === undefined
      ? res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      : res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
          .end(body);
  const failed = (res: ServerResponse) => (err: unknown) => {
    opts.onError?.(err);
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // DNS rebinding: a page from another site resolving its name to 127.0.0.1 sends its own
    // Host header; only the names this server is reached by locally are answered.
    if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden host');
      return;
    }
    if (
      (req.method === 'POST' || req.method === 'DELETE') &&
      (path === '/api/session' || path === '/api/control')
    ) {
      post(req, res, path);
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    if (path === '/api/session') {
      json(res, 200, { role: operator(req) ? 'operator' : 'monitor', controls: opts.controls !== undefined });
      return;
    }
    if (path === '/api/monitor/events') {
      live.attach(req, res);
      return;
    }
    if (path === '/vendor/chart.umd.min.js') {
      res
        .writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'max-age=3600' })
        .end(chartLibrary());
      return;
    }
    if (path === '/api/monitor/fills') {
      const q = new URL(req.url ?? '/', 'http://localhost').searchParams;
      const days = Number(q.get('days') ?? '1');
      const words = (q.get('q') ?? '').slice(0, 100);
      if (!Number.isFinite(days) || days <= 0 || days > 3660) {
        json(res, 400, { error: `days must be a number of days from 0 to 3660, got '${q.get('days')}'` });
        return;
      }
      const read = sources.data.fills;
      if (!read) {
        json(res, 200, { fills: null });
        return;
      }
      read({ days, q: words || undefined }).then(
        (fills) => json(res, 200, { fills }),
        (err: unknown) => json(res, 500, { error: String(err) }),
      );
      return;
    }
    const reports = opts.reports;
    if (reports && (path === '/reports' || path === '/reports/')) {
      reports.list().then((rows) => html(res, reportsIndex(rows)), failed(res));
      return;
    }
    const one = /^\/reports\/([a-z_]+)\.html$/.exec(path);
    if (reports && one) {
      reports.html(one[1]!).then((body) => html(res, body), failed(res));
      return;
    }
    if (path === '/' || path === '/index.html') {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(MONITOR_HTML);
      return;
    }
    if (path === '/api/monitor') {
      collectMonitorSnapshot(sources).then(
        (s) =>
          res
            .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
            .end(JSON.stringify(s)),
        (err: unknown) => {
          opts.onError?.(err);
          res
            .writeHead(500, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: String(err) }));
        },
      );
      return;
    }
    if (opts.routes?.(req, res)) return;
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
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
