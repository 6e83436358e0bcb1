/**
 * Instrument order requests: the durable way in to the instrument order stack.
 *
 * The strategy order generator runs in the evening (run_strategy_order_generator, 20:10 by
 * default) while the stack handler trades in its own window (00:01–19:45). In the reference both
 * write one database; here the generator appends each request to the JetStream work-queue stream
 * `<PREFIX>_ORDER_REQUESTS` (subject `<prefix>.orderreq.<strategy>.<instrument>`, message id =
 * the request id, so a retried generator run never queues twice), and the stack handler takes
 * them off the queue whenever it runs, putting each on the stack with netting on insert (B5).
 * A request that fails validation is terminated with a logged error and changes nothing.
 */
import {
  AckPolicy,
  type ConsumerInfo,
  type ConsumerMessages,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { createInstrumentOrderBody } from '../../src/bus/schemas/orders.ts';
import { streamName, subject } from '../../src/bus/subjects.ts';
import type { StackLogger } from './ports.ts';
import { watchAckedLeftovers } from './acked-leftovers.ts';
import { token } from '../store/order-event-store.ts';
import { toNewInstrumentOrder } from './services.ts';
import { InstrumentLockedError, StackRequestError } from './spawn.ts';
import type { StackHandler } from './stack-handler.ts';

const CONSUMER = 'stack_handler';
/** How long a request for a locked instrument waits before it is delivered again. */
const LOCKED_RETRY_MS = 5000;
/** How long a taken request waits for its ack before it is delivered again (5 s, in ns). */
const ACK_WAIT_NS = 5_000_000_000;

export function orderRequestStream(prefix: string): string {
  return streamName(prefix, 'ORDER_REQUESTS');
}

export async function ensureOrderRequestStream(nc: NatsConnection, prefix: string): Promise<string> {
  const jsm = await jetstreamManager(nc);
  const name = orderRequestStream(prefix);
  try {
    await jsm.streams.info(name);
  } catch {
    await jsm.streams.add({
      name,
      subjects: [subject(prefix, 'orderreq', '>')],
      retention: RetentionPolicy.Workqueue,
      duplicate_window: 24 * 3600 * 1_000_000_000,
    });
  }
  let existing: ConsumerInfo | undefined;
  try {
    existing = await jsm.consumers.info(name, CONSUMER);
  } catch {
    // No consumer yet (or it cannot be read): it is created below with the settings we need.
  }
  if (existing) {
    // A consumer made by an older build kept max_deliver 5 and dropped a request after five
    // deliveries (each kill -9 of a handler counts one): lift the cap in place.
    if (existing.config.max_deliver !== -1) await jsm.consumers.update(name, CONSUMER, { max_deliver: -1 });
  } else {
    // A request not acked within ack_wait (its handler died) is delivered again: its id finds the
    // order it already created (see consumeOrderRequests), so a redelivery is never a second order.
    await jsm.consumers.add(name, {
      durable_name: CONSUMER,
      ack_policy: AckPolicy.Explicit,
      // Unlimited: a request is never dropped for being delivered to handlers that died or hit a
      // transient error (each kill -9 or nak counts a delivery); an invalid one is terminated.
      max_deliver: -1,
      ack_wait: ACK_WAIT_NS,
    });
  }
  return name;
}

const ensuredStreams = new WeakMap<NatsConnection, Map<string, Promise<string>>>();

/** The stream and consumer set up once per connection and prefix, not on every request. */
function ensured(nc: NatsConnection, prefix: string): Promise<string> {
  let byPrefix = ensuredStreams.get(nc);
  if (!byPrefix) ensuredStreams.set(nc, (byPrefix = new Map()));
  let p = byPrefix.get(prefix);
  if (!p) {
    p = ensureOrderRequestStream(nc, prefix);
    p.catch(() => byPrefix.delete(prefix));
    byPrefix.set(prefix, p);
  }
  return p;
}

export interface OrderRequest {
  strategy_name: string;
  instrument_code: string;
  trade: number;
  reference_price?: number;
  reference_contract?: string;
  reference_datetime?: number | string;
}

/** Queue one instrument order request. Returns false when the same request id was queued already. */
export async function requestInstrumentOrder(
  nc: NatsConnection,
  prefix: string,
  req: OrderRequest,
  requestId: string,
): Promise<{ queued: boolean; seq: number }> {
  await ensured(nc, prefix);
  const subj = subject(prefix, 'orderreq', token(req.strategy_name), token(req.instrument_code));
  const ack = await jetstream(nc).publish(subj, JSON.stringify(req), { msgID: `orderreq:${requestId}` });
  return { queued: !ack.duplicate, seq: ack.seq };
}

/** How many requests wait for the stack handler. */
export async function pendingOrderRequests(nc: NatsConnection, prefix: string): Promise<number> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(orderRequestStream(prefix)).catch(() => undefined);
  return info?.state.messages ?? 0;
}

export interface OrderRequestConsumer {
  stop(): Promise<void>;
}

/** Take requests off the queue and put them on the stack, for as long as the handler runs. */
export async function consumeOrderRequests(
  nc: NatsConnection,
  prefix: string,
  handler: StackHandler,
  log: StackLogger,
): Promise<OrderRequestConsumer> {
  const name = await ensureOrderRequestStream(nc, prefix);
  const consumer = await jetstream(nc).consumers.get(name, CONSUMER);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: 100 });
  // Acked requests nats-server 2.9.10 left in the queue after a restart (acked-leftovers.ts).
  const leftovers = watchAckedLeftovers(nc, name, CONSUMER, log);
  const loop = (async () => {
    for await (const m of messages) {
      let body: unknown;
      try {
        body = m.json();
      } catch {
        log.error({ seq: m.seq }, 'order request is not JSON: dropped');
        m.term();
        continue;
      }
      const parsed = createInstrumentOrderBody.safeParse(body);
      if (!parsed.success) {
        log.error({ seq: m.seq, issue: parsed.error.issues[0]?.message }, 'invalid order request: dropped');
        m.term();
        continue;
      }
      // The request's id (its message id when queued; else its stream sequence, which a
      // redelivery keeps): the order it creates keeps it, so a redelivery after a crash that lost
      // the ack finds that order instead of making a second one.
      const requestId = m.headers?.get('Nats-Msg-Id') || `seq:${m.seq}`;
      try {
        const order = await handler.createInstrumentOrder({
          ...toNewInstrumentOrder(parsed.data, false),
          requestId,
        });
        log.info(
          {
            strategy_name: parsed.data.strategy_name,
            instrument_code: parsed.data.instrument_code,
            instrument_order_id: order.id,
            request_id: requestId,
          },
          'order request put on the stack',
        );
        m.ack();
      } catch (err) {
        if (err instanceof InstrumentLockedError) {
          // A lock passes (a break clears on the next check): the request waits, it is not dropped.
          log.warn({ ...parsed.data, reason: err.message }, 'order request waits: instrument locked');
          m.nak(LOCKED_RETRY_MS);
        } else if (err instanceof StackRequestError && err.code < 500) {
          // Refused by a rule (netted to nothing, locked instrument): done with it.
          log.warn({ ...parsed.data, reason: err.message }, 'order request refused by the stack');
          m.ack();
        } else {
          log.error({ err }, 'order request failed; will be retried');
          m.nak(1000);
        }
      }
    }
  })();
  return {
    async stop() {
      leftovers.stop();
      await messages.close();
      await loop;
    },
  };
}

/** The requests waiting in the queue, oldest first (without taking them off it). */
export async function listOrderRequests(nc: NatsConnection, prefix: string): Promise<OrderRequest[]> {
  const jsm = await jetstreamManager(nc);
  const name = orderRequestStream(prefix);
  const info = await jsm.streams.info(name).catch(() => undefined);
  if (!info || info.state.messages === 0) return [];
  const out: OrderRequest[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(name, { seq }).catch(() => undefined);
    if (m) out.push(m.json<OrderRequest>());
  }
  return out;
}
