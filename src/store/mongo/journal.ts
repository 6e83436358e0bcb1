/**
 * A journal (`../journal.ts`) in one MongoDB collection, named after the JetStream stream it
 * stands in for. One document a message: `{ _id: seq, subject, prev, msgId?, data }`.
 * - `seq` comes from the `counters` collection (`findOneAndUpdate` with `$inc`), so messages
 *   keep one order across subjects, as in a stream.
 * - Exactly once: a unique index on `msgId` (partial: only messages that have one) stands in for
 *   JetStream's message-id dedupe, and never expires.
 * - One writer per subject: `prev` is the seq of the subject's previous message, and a unique
 *   index on `(subject, prev)` refuses a second message after the same one. An append with an
 *   expected last seq (JetStream's expected last subject sequence) checks it and then relies on
 *   that index, so of two writers that read the same last message only one succeeds.
 */
import { type Collection, type Db, MongoServerError } from 'mongodb';
import { type AppendOptions, ExpectedVersionError, type JournalEntry } from '../journal.ts';
import { asJson, DUPLICATE_KEY } from './json-collection.ts';

export interface JournalDoc {
  _id: number;
  subject: string;
  prev: number;
  msgId?: string;
  data: unknown;
}

interface CounterDoc {
  _id: string;
  seq: number;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A NATS subject filter (`a.b.>`, `a.*.c`, exact) as a regular expression over subjects. */
export function subjectPattern(filter: string): string {
  const parts = filter.split('.').map((t) => (t === '>' ? '.+' : t === '*' ? '[^.]+' : escape(t)));
  return `^${parts.join('\\.')}$`;
}

export class MongoJournal {
  private constructor(
    readonly name: string,
    private readonly c: Collection<JournalDoc>,
    private readonly counters: Collection<CounterDoc>,
  ) {}

  static async open(db: Db, name: string): Promise<MongoJournal> {
    const c = db.collection<JournalDoc>(name);
    await c.createIndex({ subject: 1, prev: 1 }, { unique: true, name: 'one_writer_per_subject' });
    await c.createIndex(
      { msgId: 1 },
      { unique: true, name: 'exactly_once', partialFilterExpression: { msgId: { $exists: true } } },
    );
    return new MongoJournal(name, c, db.collection<CounterDoc>('counters'));
  }

  private async nextSeq(): Promise<number> {
    const d = await this.counters.findOneAndUpdate(
      { _id: this.name },
      { $inc: { seq: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
    if (!d) throw new Error(`${this.name}: the sequence counter returned nothing`);
    return d.seq;
  }

  private async lastOn(subject: string): Promise<number> {
    const d = await this.c.findOne({ subject }, { sort: { _id: -1 }, projection: { _id: 1 } });
    return d?._id ?? 0;
  }

  /** Append a message; `duplicate` when its message id was written before (nothing written). */
  async append(
    subject: string,
    data: unknown,
    opts: AppendOptions = {},
  ): Promise<{ seq: number; duplicate: boolean }> {
    for (let attempt = 0; attempt < 20; attempt++) {
      if (opts.msgId !== undefined) {
        const seen = await this.c.findOne({ msgId: opts.msgId }, { projection: { _id: 1 } });
        if (seen) return { seq: seen._id, duplicate: true };
      }
      const prev = await this.lastOn(subject);
      if (opts.expectedLast !== undefined && prev !== opts.expectedLast)
        throw new ExpectedVersionError(
          `${subject}: expected last sequence ${opts.expectedLast} but the subject is at ${prev}`,
        );
      const seq = await this.nextSeq();
      try {
        await this.c.insertOne({
          _id: seq,
          subject,
          prev,
          ...(opts.msgId !== undefined ? { msgId: opts.msgId } : {}),
          data: asJson(data),
        });
        return { seq, duplicate: false };
      } catch (err) {
        if (!(err instanceof MongoServerError && err.code === DUPLICATE_KEY)) throw err;
        // Another writer got in first: with an expectation that writer owns the subject now;
        // without one, read again (a duplicate message id is found at the top of the loop).
        if (opts.expectedLast !== undefined && opts.msgId === undefined)
          throw new ExpectedVersionError(`${subject}: another writer appended after ${opts.expectedLast}`);
        if (opts.expectedLast !== undefined) {
          const seen = await this.c.findOne({ msgId: opts.msgId }, { projection: { _id: 1 } });
          if (seen) return { seq: seen._id, duplicate: true };
          throw new ExpectedVersionError(`${subject}: another writer appended after ${opts.expectedLast}`);
        }
      }
    }
    throw new Error(`${this.name}: could not append to ${subject}: too many concurrent writers`);
  }

  /**
   * Every message on subjects matching `filter`, in journal order; with `lastPerSubject`, only
   * the last message of each subject (grouped on the server, so a restore reads one document per
   * order, not every event of it).
   */
  async read<T>(filter = '>', opts: { lastPerSubject?: boolean } = {}): Promise<Array<JournalEntry<T>>> {
    const match = filter === '>' ? {} : { subject: { $regex: subjectPattern(filter) } };
    const docs = opts.lastPerSubject
      ? (
          await this.c
            .aggregate<{ doc: JournalDoc }>(
              [
                { $match: match },
                { $sort: { _id: 1 } },
                { $group: { _id: '$subject', doc: { $last: '$$ROOT' } } },
                { $sort: { 'doc._id': 1 } },
              ],
              { allowDiskUse: true },
            )
            .toArray()
        ).map((g) => g.doc)
      : await this.c.find(match).sort({ _id: 1 }).toArray();
    return docs.map((d) => ({ subject: d.subject, seq: d._id, data: d.data as T }));
  }

  /**
   * Append copies of messages from another store (`systack migrate`), in order, as they are: a
   * message id already present stays with its first message (the copy keeps none), so two
   * source messages sharing an id are both kept.
   */
  async appendCopies(entries: Array<{ subject: string; msgId?: string; data: unknown }>): Promise<number> {
    for (const e of entries) {
      const taken =
        e.msgId !== undefined && (await this.c.findOne({ msgId: e.msgId }, { projection: { _id: 1 } }));
      const seq = await this.nextSeq();
      const prev = await this.lastOn(e.subject);
      await this.c.insertOne({
        _id: seq,
        subject: e.subject,
        prev,
        ...(e.msgId !== undefined && !taken ? { msgId: e.msgId } : {}),
        data: e.data,
      });
    }
    return entries.length;
  }

  /** Remove every message of one subject; returns how many. */
  async purgeSubject(subject: string): Promise<number> {
    return (await this.c.deleteMany({ subject })).deletedCount;
  }

  /** Remove every message before `seq` (log retention); returns how many. */
  async purgeBefore(seq: number): Promise<number> {
    return (await this.c.deleteMany({ _id: { $lt: seq } })).deletedCount;
  }

  async count(): Promise<number> {
    return this.c.countDocuments({});
  }
}
