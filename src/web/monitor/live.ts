/**
 * The monitor's pushed updates (`GET /api/monitor/events`, server-sent events): the server
 * collects the snapshot every `intervalMs` and sends it (`event: snapshot`) only when it changed,
 * and forwards every log line at info or above as it is published (`event: log`, from a core
 * subscription to `<prefix>.logs.*.*`). A new client gets the latest snapshot and the last
 * `LOG_BACKLOG` lines at once. The browser never polls.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Context } from 'hono';
import { subject } from '../../bus/subjects.ts';
import { EventStreams } from '../sse.ts';
import type { MonitorSnapshot } from './snapshot.ts';

const LOG_BACKLOG = 200;
const KEEPALIVE_MS = 15_000;
const INFO = 30;

export interface MonitorLive {
  /** Answer with an event stream (the request's route already matched). */
  attach(c: Context): Response;
  close(): void;
}

export function startMonitorLive(o: {
  collect: () => Promise<MonitorSnapshot>;
  /** Live log lines (a connection allowed to subscribe to the log subjects). */
  logs?: { nc: NatsConnection; prefix: string };
  intervalMs?: number;
  onError?: (err: unknown) => void;
}): MonitorLive {
  const clients = new EventStreams();
  const backlog: string[] = [];
  let last: string | undefined;
  let busy = false;
  const broadcast = (event: string, data: string) => clients.each((c) => c.send(event, data));
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
  const keepalive = setInterval(() => clients.each((c) => c.comment('keepalive')), KEEPALIVE_MS);
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
    attach: (c) =>
      clients.respond(c, (s) => {
        s.comment('systack monitor');
        for (const l of backlog) s.send('log', l);
        if (last !== undefined) s.send('snapshot', last);
        else queueMicrotask(() => void tick());
      }),
    close() {
      clearInterval(timer);
      clearInterval(keepalive);
      sub?.unsubscribe();
      clients.closeAll();
    },
  };
}
