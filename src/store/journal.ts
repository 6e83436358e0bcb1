/**
 * A journal: ordered messages on subjects, the shape of a JetStream stream, kept by the MongoDB
 * backend in one collection per stream (`mongo/journal.ts`). The order journals, fills, history
 * and logs are journals; `systack migrate` copies every stream to and from one.
 */

/** One stored message: its subject, its position in the journal, its JSON body. */
export interface JournalEntry<T> {
  subject: string;
  seq: number;
  data: T;
}

export interface AppendOptions {
  /** Written once: a second append with the same id is a duplicate and writes nothing. */
  msgId?: string;
  /**
   * The `seq` of the subject's last message (0: the subject has none); the append fails with
   * `ExpectedVersionError` when another writer moved the subject on.
   */
  expectedLast?: number;
}

export class ExpectedVersionError extends Error {
  override name = 'ExpectedVersionError';
}
