import { JetStreamApiError } from '@nats-io/jetstream';
import {
  createInbox,
  type MsgHdrs,
  MsgHdrsImpl,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';

/** What the JetStream server acknowledges for one stored message. */
export interface PubAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

interface Pending {
  resolve: (ack: PubAck) => void;
  reject: (err: unknown) => void;
  deadline: number;
}

interface AckBody {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code: number; err_code: number; description: string };
}

/**
 * A JetStream publisher with asynchronous acks: each message is a core publish with a reply
 * subject under one inbox subscription, and the server's PubAck resolves its promise. Many
 * publishes are in flight at once. The guarantees are the server's, as with `js.publish`: the
 * message id (`Nats-Msg-Id`) dedupes, the expected last subject sequence rejects a second writer,
 * and a publish counts only once its ack arrives.
 *
 * Why not `js.publish`: it goes through `nc.request`, which builds two Error objects with stack
 * traces (RequestError and TimeoutError, for async traces) and a timer per message: ~20% of the
 * stack handler's CPU in the orders benchmark. Here timeouts are swept by one timer, and an Error
 * is built only when a publish actually fails.
 */
export class JsPublisher {
  private readonly prefix = createInbox();
  private readonly sub: Subscription;
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  /** Messages published so far, by the first token after the prefix (`stack`, `fills`, `history`). */
  readonly counts = new Map<string, number>();
  /** Characters of message data published so far, by the same kind (JSON: one byte each when ASCII). */
  readonly chars = new Map<string, number>();
  private sweeper: NodeJS.Timeout | undefined;
  private queue: Array<{ id: number; subj: string; data: string; h: MsgHdrs | undefined }> = [];
  private flushing: NodeJS.Immediate | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs = 5000,
  ) {
    this.sub = nc.subscribe(`${this.prefix}.*`, {
      callback: (err, msg) => {
        if (err) {
          this.failAll(err);
          return;
        }
        const id = Number(msg.subject.slice(this.prefix.length + 1));
        const p = this.pending.get(id);
        if (!p) return; // timed out already
        this.pending.delete(id);
        if (msg.headers?.code === 503) {
          p.reject(new Error('JetStream publish: no responders (is the stream there?)'));
          return;
        }
        let body: AckBody;
        try {
          body = msg.json<AckBody>();
        } catch (e) {
          p.reject(e);
          return;
        }
        if (body.error) p.reject(new JetStreamApiError(body.error));
        else if (!body.stream || typeof body.seq !== 'number') p.reject(new Error('invalid JetStream ack'));
        else p.resolve({ stream: body.stream, seq: body.seq, duplicate: body.duplicate === true });
      },
    });
  }

  /** Publish one message to a stream; resolves with its ack (rejects with JetStreamApiError). */
  publish(
    subj: string,
    data: string,
    opts: { msgID?: string; lastSubjectSequence?: number } = {},
  ): Promise<PubAck> {
    let h: MsgHdrs | undefined;
    try {
      h = jsHeaders(opts.msgID, opts.lastSubjectSequence);
    } catch (err) {
      return Promise.reject(err);
    }
    const id = ++this.next;
    const kind = kindOf(subj);
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    this.chars.set(kind, (this.chars.get(kind) ?? 0) + data.length);
    return new Promise<PubAck>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      this.queue.push({ id, subj, data, h });
      this.flushing ??= setImmediate(() => this.flush());
      this.sweeper ??= setInterval(() => this.sweep(), Math.min(1000, this.timeoutMs));
    });
  }

  /**
   * Hand the queued messages to the connection in one go, once per event-loop turn: the client
   * then writes them to the socket together (one write instead of one per publish).
   */
  private flush(): void {
    this.flushing = undefined;
    const q = this.queue;
    this.queue = [];
    for (const m of q) {
      try {
        const reply = `${this.prefix}.${m.id}`;
        this.nc.publish(m.subj, m.data, m.h ? { reply, headers: m.h } : { reply });
      } catch (err) {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.reject(err);
      }
    }
  }

  /** Fail the publishes whose ack did not come in time (the message may or may not be stored). */
  private sweep(): void {
    const now = Date.now();
    for (const [id, p] of this.pending) {
      if (p.deadline > now) continue;
      this.pending.delete(id);
      p.reject(new Error(`JetStream publish: no ack within ${this.timeoutMs} ms`));
    }
    if (this.pending.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private failAll(err: unknown): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  close(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    this.queue = [];
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.failAll(new Error('JetStream publisher closed'));
    this.sub.unsubscribe();
  }
}

/** The first token after the prefix (`stack`, `fills`, `history`), without splitting the subject. */
function kindOf(subj: string): string {
  const a = subj.indexOf('.');
  if (a < 0) return '';
  const b = subj.indexOf('.', a + 1);
  return b < 0 ? subj.slice(a + 1) : subj.slice(a + 1, b);
}

/**
 * The JetStream publish headers, as `js.publish` sends them: the message id (dedupe) and the
 * expected last subject sequence. Built from a record (`MsgHdrsImpl.fromRecord`): the header names
 * are constants, so nothing needs the per-call canonicalisation and lookups of `headers().set`
 * (a tenth of the publish path). A value must not break the header block (CR or LF).
 */
function jsHeaders(msgID: string | undefined, lastSubjectSequence: number | undefined): MsgHdrs | undefined {
  if (!msgID && lastSubjectSequence === undefined) return undefined;
  const r: Record<string, string[]> = {};
  if (msgID) {
    if (msgID.includes('\r') || msgID.includes('\n'))
      throw new InvalidHeaderError(`message id ${JSON.stringify(msgID)} has a line break`);
    r['Nats-Msg-Id'] = [msgID.trim()];
  }
  if (lastSubjectSequence !== undefined)
    r['Nats-Expected-Last-Subject-Sequence'] = [String(lastSubjectSequence)];
  return MsgHdrsImpl.fromRecord(r);
}

/** A header value that cannot be sent (it would end the header block). */
export class InvalidHeaderError extends Error {
  override name = 'InvalidHeaderError';
}
