import {
  DeliverPolicy,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { streamName, subject } from '../../src/bus/subjects.ts';
import { JsPublisher } from './js-publisher.ts';
import type { JournalEntry } from '../../src/store/journal.ts';
import {
  type CommissionEntry,
  type CorrectionEntry,
  joinFillEntries,
  type OrderJournal,
  OwnershipLostError,
  subjectToken,
} from '../../src/store/order-journal.ts';

/** Token-safe form of an id or code for a subject. */
export const token = subjectToken;

export { OwnershipLostError, type CorrectionEntry, type JournalEntry as StoredEntry };

const TWO_MINUTES_NS = 120_000_000_000;

/**
 * The JetStream backend of the order journal port (`src/store/order-journal.ts`). Three streams,
 * all file storage:
 * - `<PREFIX>_STACK`: `<prefix>.stack.<level>.<id>`, one subject per order actor; each message is the
 *   actor's event plus its state after it (so the last message is the snapshot). Written with a
 *   message id (dedupe) and the expected last subject sequence (one writer per actor).
 * - `<PREFIX>_FILLS`: `<prefix>.fills.<instrument>`, one message per fill, message id = execution id.
 * - `<PREFIX>_HISTORY`: `<prefix>.history.<level>.<id>`, completed orders (historic order tables).
 */
export class OrderEventStore implements OrderJournal {
  private constructor(
    readonly prefix: string,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly pub: JsPublisher,
  ) {}

  static async open(nc: NatsConnection, prefix: string): Promise<OrderEventStore> {
    const jsm = await jetstreamManager(nc);
    const store = new OrderEventStore(prefix, jetstream(nc), jsm, new JsPublisher(nc));
    for (const [name, part] of [
      ['STACK', 'stack'],
      ['FILLS', 'fills'],
      ['HISTORY', 'history'],
    ] as const) {
      const cfg = {
        name: streamName(prefix, name),
        subjects: [subject(prefix, part, '>')],
        duplicate_window: TWO_MINUTES_NS,
      };
      try {
        await jsm.streams.info(cfg.name);
      } catch {
        await jsm.streams.add(cfg);
      }
    }
    return store;
  }

  orderSubject(level: string, id: number): string {
    if (!Number.isSafeInteger(id) || id < 0) return subject(this.prefix, 'stack', level, String(id));
    // `<prefix>.stack.<level>` checked once per level (a new actor's first write asks for it).
    let base = this.stackSubjects.get(level);
    if (base === undefined) {
      base = subject(this.prefix, 'stack', level);
      this.stackSubjects.set(level, base);
    }
    return `${base}.${id}`;
  }

  private readonly stackSubjects = new Map<string, string>();

  /** Append an actor's event; returns the new subject sequence. */
  async appendOrder(subj: string, body: unknown, msgID: string, expectedSeq: number): Promise<number> {
    try {
      const ack = await this.pub.publish(subj, JSON.stringify(body), {
        msgID,
        lastSubjectSequence: expectedSeq,
      });
      return ack.seq;
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === 10071) {
        throw new OwnershipLostError(
          `${subj}: expected last sequence ${expectedSeq} but another writer moved on`,
        );
      }
      throw err;
    }
  }

  /** Append a fill once: the execution id is the message id. */
  async appendFill(
    instrumentCode: string,
    execId: string,
    body: unknown,
  ): Promise<{ seq: number; duplicate: boolean }> {
    const ack = await this.pub.publish(this.fillsSubject(instrumentCode), JSON.stringify(body), {
      msgID: `fill:${execId}`,
    });
    return { seq: ack.seq, duplicate: ack.duplicate };
  }

  /** `<prefix>.fills.<instrument>`, built (and checked) once per instrument. */
  private readonly fillSubjects = new Map<string, string>();

  private fillsSubject(instrumentCode: string): string {
    let s = this.fillSubjects.get(instrumentCode);
    if (s === undefined) {
      s = subject(this.prefix, 'fills', token(instrumentCode));
      this.fillSubjects.set(instrumentCode, s);
    }
    return s;
  }

  async appendHistory(level: string, id: number, body: unknown, revision?: string): Promise<void> {
    // The prefix was checked by `open`; a level and a numeric id are subject tokens.
    await this.pub.publish(this.historySubject(level, id), JSON.stringify(body), {
      msgID: revision === undefined ? `history:${level}:${id}` : `history:${level}:${id}:${revision}`,
    });
  }

  private historySubject(level: string, id: number): string {
    return `${this.prefix}.history.${token(level)}.${id}`;
  }

  async lastHistory<T>(level: string, id: number): Promise<T | undefined> {
    const stream = streamName(this.prefix, 'HISTORY');
    try {
      const m = await this.jsm.streams.getMessage(stream, { last_by_subj: this.historySubject(level, id) });
      return m ? m.json<T>() : undefined;
    } catch (err) {
      // 10037: no message on the subject (the order has no history yet)
      if (err instanceof JetStreamApiError && err.code === 10037) return undefined;
      throw err;
    }
  }

  /** JetStream messages written by this store, by kind (`stack`, `fills`, `history`). */
  get writes(): ReadonlyMap<string, number> {
    return this.pub.counts;
  }

  /** Characters of the messages written by this store, by kind (a benchmark's figure). */
  get writtenChars(): ReadonlyMap<string, number> {
    return this.pub.chars;
  }

  /** Stop the ack subscription (publishes still waiting fail). */
  close(): void {
    this.pub.close();
  }

  /** Remove every message of an order's subject (end-of-day removal, after it went to history). */
  async purgeOrder(subj: string): Promise<void> {
    await this.jsm.streams.purge(streamName(this.prefix, 'STACK'), { filter: subj });
  }

  loadStack<T>(): Promise<Array<JournalEntry<T>>> {
    return this.load<T>('STACK', subject(this.prefix, 'stack', '>'), DeliverPolicy.LastPerSubject);
  }

  /**
   * Append a commission the broker reported after its fill was written (IB's commissionReport
   * comes on its own, keyed by execution id): a commission entry on the fill's subject, once per
   * execution id. `loadFills` joins it into the fill record.
   */
  async appendCommission(
    instrumentCode: string,
    execId: string,
    commission: number,
    commissionCurrency: string,
    revision?: string,
  ): Promise<void> {
    const body: CommissionEntry = { commissionFor: execId, commission, commissionCurrency };
    // After a correction, the corrected fill's commission is a new one: keyed by the revision.
    await this.pub.publish(this.fillsSubject(instrumentCode), JSON.stringify(body), {
      msgID: `commission:${revision ?? execId}`,
    });
  }

  /**
   * Append a broker's correction of a fill (IB: a later execution id for the same execution):
   * once per correcting execution id. `loadFills` replaces the fill record's quantity, price and
   * time with it and clears its commission (the corrected fill's commission comes on its own).
   */
  async appendCorrection(instrumentCode: string, body: CorrectionEntry): Promise<void> {
    await this.pub.publish(this.fillsSubject(instrumentCode), JSON.stringify(body), {
      msgID: `correction:${body.correctedBy}`,
    });
  }

  /**
   * The fill records in stream order, each with its commission (`commission`, `commissionCurrency`)
   * joined by execution id when it came after the fill.
   */
  loadOrderEvents<T>(subj: string): Promise<Array<JournalEntry<T>>> {
    return this.load<T>('STACK', subj, DeliverPolicy.All);
  }

  loadStackEvents<T>(): Promise<Array<JournalEntry<T>>> {
    return this.load<T>('STACK', subject(this.prefix, 'stack', '>'), DeliverPolicy.All);
  }

  async loadFills<T>(): Promise<Array<JournalEntry<T>>> {
    return joinFillEntries(
      await this.load<T | CommissionEntry | CorrectionEntry>(
        'FILLS',
        subject(this.prefix, 'fills', '>'),
        DeliverPolicy.All,
      ),
    );
  }

  loadHistory<T>(): Promise<Array<JournalEntry<T>>> {
    // An order's amended record (a fill corrected after completion) replaces the first.
    return this.load<T>('HISTORY', subject(this.prefix, 'history', '>'), DeliverPolicy.LastPerSubject);
  }

  private load<T>(name: string, filter: string, policy: DeliverPolicy): Promise<Array<JournalEntry<T>>> {
    return readStreamEntries(this.js, streamName(this.prefix, name), filter, policy);
  }
}

/** Every message of a stream under a subject filter, in stream order, read in fetched batches. */
export async function readStreamEntries<T>(
  js: JetStreamClient,
  stream: string,
  filter: string,
  policy: DeliverPolicy,
): Promise<Array<JournalEntry<T>>> {
  const out: Array<JournalEntry<T>> = [];
  const consumer = await js.consumers.get(stream, { filter_subjects: filter, deliver_policy: policy });
  let pending = (await consumer.info(true)).num_pending;
  while (pending > 0) {
    const batch = await consumer.fetch({ max_messages: Math.min(pending, 1000), expires: 2000 });
    let got = 0;
    for await (const m of batch) {
      out.push({ subject: m.subject, seq: m.seq, data: m.json<T>() });
      pending = m.info.pending;
      got++;
    }
    if (got === 0) break;
  }
  return out;
}
