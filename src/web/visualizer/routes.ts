/**
 * The visualizer's HTTP routes, a Hono app mounted on the monitor's server (server.ts `routes`,
 * which checks the Host header and the method first):
 *   GET /machines                        the page
 *   GET /api/visualizer/actors           { actors: ActorEvent[] } (latest event of each live actor)
 *   GET /api/visualizer/events[?root=N]  server-sent events, `event: actor`, data = ActorEvent
 *   GET /api/visualizer/replay?root=N    { root, steps: ActorEvent[] } from the journal
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { Hono } from 'hono';
import { openOrderJournal } from '../../../actors/store/open-order-journal.ts';
import { machineNames, machineRegistry } from '../../../machines/registry.ts';
import type { OrderJournal } from '../../store/order-journal.ts';
import { EventStreams } from '../sse.ts';
import { VisualizerFeed } from './feed.ts';
import { drawMachine, type MachineDrawing } from './layout.ts';
import { visualizerHtml } from './page.ts';

export interface Visualizer {
  /** The routes, for the monitor server's `routes`. */
  readonly routes: Hono;
  readonly feed: VisualizerFeed;
  close(): void;
}

const ROOT_RE = /^[A-Za-z0-9_-]{1,64}$/;
const NO_STORE = { 'cache-control': 'no-store' };

let drawings: MachineDrawing[] | undefined;

/** Subscribe to the live subjects and return the routes. */
export async function startVisualizer(
  nc: NatsConnection,
  prefix: string,
  opts: {
    onError?: (err: unknown) => void;
    /** The order journal replays read; default: the selected backend's (`openOrderJournal`). */
    journal?: OrderJournal;
  } = {},
): Promise<Visualizer> {
  let opened: Promise<OrderJournal> | undefined;
  const journal = (): Promise<OrderJournal> => {
    opened ??= opts.journal ? Promise.resolve(opts.journal) : openOrderJournal(nc, prefix);
    // A failed open is tried again on the next replay.
    opened.catch(() => (opened = undefined));
    return opened;
  };
  const feed = new VisualizerFeed(nc, prefix, machineNames(), journal);
  feed.start();
  await feed.ready();
  const streams = new EventStreams();
  let html: string | undefined;
  const routes = new Hono();
  routes.use('/api/visualizer/*', async (c, next) => {
    const root = c.req.query('root');
    if (root !== undefined && !ROOT_RE.test(root))
      return c.json(
        { error: `root must be an order id (letters, digits, _ or -), got '${root.slice(0, 80)}'` },
        400,
        NO_STORE,
      );
    return next();
  });
  routes.get('/machines', (c) => {
    drawings ??= machineRegistry.map(drawMachine);
    html ??= visualizerHtml(drawings, feed.subjects);
    return c.html(html, 200, NO_STORE);
  });
  routes.get('/api/visualizer/actors', (c) => c.json({ actors: feed.list() }, 200, NO_STORE));
  routes.get('/api/visualizer/events', (c) => {
    const root = c.req.query('root');
    return streams.respond(c, (s) => {
      s.comment('systack visualizer');
      return feed.listen((e) => {
        if (root === undefined || e.root === root) s.send('actor', JSON.stringify(e));
      });
    });
  });
  routes.get('/api/visualizer/replay', async (c) => {
    const root = c.req.query('root');
    if (root === undefined)
      return c.json({ error: 'replay needs ?root=<instrument order id>' }, 400, NO_STORE);
    try {
      return c.json({ root, steps: await feed.replay(root) }, 200, NO_STORE);
    } catch (err) {
      opts.onError?.(err);
      return c.json({ error: String(err) }, 500, NO_STORE);
    }
  });
  return {
    routes,
    feed,
    close() {
      feed.stop();
      // The journal opened here is closed here; one passed in belongs to its caller.
      if (!opts.journal)
        void opened?.then(
          (j) => j.close(),
          () => undefined,
        );
      streams.closeAll();
    },
  };
}
