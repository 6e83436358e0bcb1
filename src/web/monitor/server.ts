/**
 * The monitor's HTTP server (production doc "System monitor"), bound to 127.0.0.1 by default:
 * `GET /` the page, `GET /api/monitor` the JSON it polls.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MONITOR_HTML } from './page.ts';
import { collectMonitorSnapshot, type MonitorSources } from './snapshot.ts';

export interface MonitorServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMonitorServer(
  sources: MonitorSources,
  opts: {
    host?: string;
    port?: number;
    onError?: (err: unknown) => void;
    /** More GET routes (the machine visualizer, src/web/visualizer/routes.ts); true = answered. */
    routes?: (req: IncomingMessage, res: ServerResponse) => boolean;
  } = {},
): Promise<MonitorServer> {
  let allowedHosts = new Set<string>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    // DNS rebinding: a page from another site resolving its name to 127.0.0.1 sends its own
    // Host header; only the names this server is reached by locally are answered.
    if (!allowedHosts.has((req.headers.host ?? '').toLowerCase())) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden host');
      return;
    }
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end();
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
