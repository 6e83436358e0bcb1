/**
 * The visualizer's HTTP routes, served by the monitor's server (server.ts hands every GET it does
 * not answer itself to `handle`):
 *   GET /machines                        the page
 *   GET /api/visualizer/actors           { actors: ActorEvent[] } (latest event of each live actor)
 *   GET /api/visualizer/events[?root=N]  server-sent events, `event: actor`, data = ActorEvent
 *   GET /api/visualizer/replay?root=N    { root, steps: ActorEvent[] } from the journal
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NatsConnection } from '@nats-io/transport-node';
import { machineNames, machineRegistry } from '../../../machines/registry.ts';
import { VisualizerFeed } from './feed.ts';
import { drawMachine, type MachineDrawing } from './layout.ts';
import { visualizerHtml } from './page.ts';

export interface Visualizer {
  /** Answers the request if it is one of the visualizer's routes; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  readonly feed: VisualizerFeed;
  close(): void;
}

const ROOT_RE = /^[A-Za-z0-9_-]{1,64}$/;
const json = (res: ServerResponse, status: number, body: unknown): void => {
  res
    .writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
};

let drawings: MachineDrawing[] | undefined;

/** Subscribe to the live subjects and return the route handler. */
export async function startVisualizer(
  nc: NatsConnection,
  prefix: string,
  opts: { onError?: (err: unknown) => void } = {},
): Promise<Visualizer> {
  const feed = new VisualizerFeed(nc, prefix, machineNames());
  feed.start();
  await feed.ready();
  const streams = new Set<ServerResponse>();
  let html: string | undefined;
  return {
    feed,
    handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const root = url.searchParams.get('root');
      if (root !== null && !ROOT_RE.test(root)) {
        if (!url.pathname.startsWith('/api/visualizer/')) return false;
        json(res, 400, {
          error: `root must be an order id (letters, digits, _ or -), got '${root.slice(0, 80)}'`,
        });
        return true;
      }
      switch (url.pathname) {
        case '/machines':
          drawings ??= machineRegistry.map(drawMachine);
          html ??= visualizerHtml(drawings, feed.subjects);
          res
            .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
            .end(html);
          return true;
        case '/api/visualizer/actors':
          json(res, 200, { actors: feed.list() });
          return true;
        case '/api/visualizer/events': {
          res.writeHead(200, {
            'content-type': 'text/event-stream',
            'cache-control': 'no-store',
            connection: 'keep-alive',
          });
          res.write(': systack visualizer\n\n');
          streams.add(res);
          const stop = feed.listen((e) => {
            if (root === null || e.root === root) res.write(`event: actor\ndata: ${JSON.stringify(e)}\n\n`);
          });
          req.on('close', () => {
            stop();
            streams.delete(res);
          });
          return true;
        }
        case '/api/visualizer/replay':
          if (root === null) {
            json(res, 400, { error: 'replay needs ?root=<instrument order id>' });
            return true;
          }
          feed.replay(root).then(
            (steps) => json(res, 200, { root, steps }),
            (err: unknown) => {
              opts.onError?.(err);
              json(res, 500, { error: String(err) });
            },
          );
          return true;
        default:
          return false;
      }
    },
    close() {
      feed.stop();
      for (const s of streams) s.end();
      streams.clear();
    },
  };
}
