/**
 * The monitor's pushed updates (`GET /api/monitor/events`, server-sent events): the server
 * collects the snapshot every `intervalMs` and sends it (`event: snapshot`) only when it changed,
 * and forwards every log line at info or above as it is published (`event: log`, from a core
 * subscription to `<prefix>.logs.*.*`). A new client gets the latest snapshot and the last
 * `LOG_BACKLOG` lines at once. The browser never polls.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { subject } from '../../bus/subjects.ts';
import type { MonitorSnapshot } from './snapshot.ts';

const LOG_BACKLOG = 200;
const KEEPALIVE_MS = 15_000;
const INFO = 30;

export interface MonitorLive {
  /** Open an event stream on this response (the request's route already matched). */
  attach(req: IncomingMessage, res: ServerResponse): void;
  close(): void;
}

export function startMonitorLive(o: {
  collect: () => Promise<MonitorSnapshot>;
  /** Live log lines (a connection allowed to subscribe to the log subjects). */
  logs?: { nc: NatsConnection; prefix: string };
  intervalMs?: number;
  onError?: (err: unknown) => void;
}): MonitorLive {
  const clients = new Set<ServerResponse>();
  const backlog: string[] = [];
  let last: string | undefined;
  let busy = false;
  const send = (res: ServerResponse, event: string, data: string) =>
    res.write(`event: ${event}\ndata: ${data}\n\n`);
  const broadcast = (event: string, data: string) => {
    for (const c of clients) send(c, event, data);
  };
  const tick = async () => {
    if (busy || clients.size === 0) return;
    busy = true;
    try {
      const json = JSON.stringify(await o.collect());
      if (json !== last) {
        last = json;
        broadcast('snapshot', json);
      }
    } catch (err) {
      o.onError?.(err);
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), o.intervalMs ?? 1000);
  const keepalive = setInterval(() => {
    for (const c of clients) c.write(': keepalive\n\n');
  }, KEEPALIVE_MS);
  let sub: Subscription | undefined;
  if (o.logs) {
    sub = o.logs.nc.subscribe(subject(o.logs.prefix, 'logs', '*', '*'), {
      callback: (err, m) => {
        if (err) return;
        const line = m.string();
        const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? 0);
        if (level < INFO) return;
        backlog.push(line);
        if (backlog.length > LOG_BACKLOG) backlog.shift();
        broadcast('log', line);
      },
    });
  }
  return {
    attach(req, res) {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': systack monitor\n\n');
      for (const l of backlog) send(res, 'log', l);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      if (last !== undefined) send(res, 'snapshot', last);
      else void tick();
    },
    close() {
      clearInterval(timer);
      clearInterval(keepalive);
      sub?.unsubscribe();
      for (const c of clients) c.end();
      clients.clear();
    },
  };
}
