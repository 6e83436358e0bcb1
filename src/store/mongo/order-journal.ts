/**
 * MongoDB backend of the order journal port (`../order-journal.ts`): journals `stack`, `fills`
 * and `history` (`journal.ts`), the collections standing in for the STACK, FILLS and HISTORY
 * streams, with the JetStream backend's subjects and message ids. An order actor's appends carry
 * the position of its previous message (the expected version); a second writer is refused with
 * `OwnershipLostError`, as JetStream refuses a wrong expected last subject sequence.
 */
import type { Db } from 'mongodb';
import { subject } from '../../bus/subjects.ts';
import { ExpectedVersionError, type JournalEntry } from '../journal.ts';
import {
  type CommissionEntry,
  type CorrectionEntry,
  joinFillEntries,
  type OrderJournal,
  OwnershipLostError,
  subjectToken,
} from '../order-journal.ts';
import { MongoJournal } from './journal.ts';

export class MongoOrderJournal implements OrderJournal {
  private readonly counts = new Map<string, number>();
  private constructor(
    readonly prefix: string,
    private readonly stack: MongoJournal,
    private readonly fills: MongoJournal,
    private readonly history: MongoJournal,
  ) {}

  static async open(db: Db, prefix: string): Promise<MongoOrderJournal> {
    return new MongoOrderJournal(
      prefix,
      await MongoJournal.open(db, 'stack'),
      await MongoJournal.open(db, 'fills'),
      await MongoJournal.open(db, 'history'),
    );
  }

  private count(kind: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  orderSubject(level: string, id: number): string {
    return subject(this.prefix, 'stack', level, String(id));
  }

  async appendOrder(subj: string, body: unknown, msgID: string, expectedSeq: number): Promise<number> {
    try {
      const r = await this.stack.append(subj, body, { msgId: msgID, expectedLast: expectedSeq });
      if (!r.duplicate) this.count('stack');
      return r.seq;
    } catch (err) {
      if (err instanceof ExpectedVersionError) throw new OwnershipLostError(err.message);
      throw err;
    }
  }

  async appendFill(instrumentCode: string, execId: string, body: unknown) {
    const r = await this.fills.append(subject(this.prefix, 'fills', subjectToken(instrumentCode)), body, {
      msgId: `fill:${execId}`,
    });
    if (!r.duplicate) this.count('fills');
    return r;
  }

  async appendCommission(
    instrumentCode: string,
    execId: string,
    commission: number,
    commissionCurrency: string,
    revision?: string,
  ) {
    const body: CommissionEntry = { commissionFor: execId, commission, commissionCurrency };
    // After a correction, the corrected fill's commission is a new one: keyed by the revision.
    const r = await this.fills.append(subject(this.prefix, 'fills', subjectToken(instrumentCode)), body, {
      msgId: `commission:${revision ?? execId}`,
    });
    if (!r.duplicate) this.count('fills');
  }

  async appendCorrection(instrumentCode: string, body: CorrectionEntry): Promise<void> {
    const r = await this.fills.append(subject(this.prefix, 'fills', subjectToken(instrumentCode)), body, {
      msgId: `correction:${body.correctedBy}`,
    });
    if (!r.duplicate) this.count('fills');
  }

  async appendHistory(level: string, id: number, body: unknown, revision?: string): Promise<void> {
    const r = await this.history.append(subject(this.prefix, 'history', level, String(id)), body, {
      msgId: revision === undefined ? `history:${level}:${id}` : `history:${level}:${id}:${revision}`,
    });
    if (!r.duplicate) this.count('history');
  }

  async lastHistory<T>(level: string, id: number): Promise<T | undefined> {
    const subj = subject(this.prefix, 'history', level, String(id));
    return (await this.history.read<T>(subj, { lastPerSubject: true })).at(-1)?.data;
  }

  async purgeOrder(subj: string): Promise<void> {
    await this.stack.purgeSubject(subj);
  }

  loadStack<T>(): Promise<Array<JournalEntry<T>>> {
    return this.stack.read<T>(subject(this.prefix, 'stack', '>'), { lastPerSubject: true });
  }

  loadOrderEvents<T>(subj: string): Promise<Array<JournalEntry<T>>> {
    return this.stack.read<T>(subj);
  }

  loadStackEvents<T>(): Promise<Array<JournalEntry<T>>> {
    return this.stack.read<T>(subject(this.prefix, 'stack', '>'));
  }

  async loadFills<T>(): Promise<Array<JournalEntry<T>>> {
    return joinFillEntries(
      await this.fills.read<T | CommissionEntry | CorrectionEntry>(subject(this.prefix, 'fills', '>')),
    );
  }

  loadHistory<T>(): Promise<Array<JournalEntry<T>>> {
    // An order's amended record (a fill corrected after completion) replaces the first.
    return this.history.read<T>(subject(this.prefix, 'history', '>'), { lastPerSubject: true });
  }

  get writes(): ReadonlyMap<string, number> {
    return this.counts;
  }

  close(): void {
    // nothing to stop: the database connection belongs to whoever opened it
  }
}
