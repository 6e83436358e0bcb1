/**
 * Log lines on MongoDB: the journal `logs` (`journal.ts`), one document a line with the subject
 * it was shipped on (`<prefix>.logs.<process>.<level>`), the counterpart of the JetStream stream
 * `<PREFIX>_LOGS`. Queried with the filters of `systack logs` (`src/log/query.ts`), the window
 * judged by each line's own `time`; cleaned by age like the stream.
 */
import type { Db } from 'mongodb';
import { type LogLine, type LogQuery, matches } from '../../log/query.ts';
import { MongoJournal } from './journal.ts';

const DAY_MS = 86_400_000;

const lineTime = (l: LogLine): number => (typeof l.time === 'string' ? Date.parse(l.time) : NaN);

export class MongoLogStore {
  private constructor(private readonly j: MongoJournal) {}

  static async open(db: Db): Promise<MongoLogStore> {
    return new MongoLogStore(await MongoJournal.open(db, 'logs'));
  }

  /** Append a line; a `msgId` written before is not written again (returns false). */
  async append(subject: string, line: LogLine, msgId?: string): Promise<boolean> {
    const r = await this.j.append(subject, line, msgId === undefined ? {} : { msgId });
    return !r.duplicate;
  }

  /** How many lines the collection holds. */
  count(): Promise<number> {
    return this.j.count();
  }

  /** Matching lines at most `lookbackDays` old (default 1), oldest first; `now` is required. */
  async query(q: LogQuery & { now: number }): Promise<LogLine[]> {
    const start = q.now - (q.lookbackDays ?? 1) * DAY_MS;
    const out = (await this.j.read<LogLine>())
      .map((e) => e.data)
      .filter((l) => lineTime(l) >= start && matches(l, q));
    return q.limit !== undefined ? out.slice(-q.limit) : out;
  }

  /** Delete the lines older than `days` days; returns how many. */
  async clean(days: number, now: number): Promise<number> {
    const cutoff = now - days * DAY_MS;
    const all = await this.j.read<LogLine>();
    const firstKept = all.find((e) => !(lineTime(e.data) < cutoff));
    return this.j.purgeBefore(firstKept ? firstKept.seq : Number.MAX_SAFE_INTEGER);
  }
}
