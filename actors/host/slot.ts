/** What every hosted record carries: identity and an event counter. */
export interface HostedRecord {
  level: string;
  id: number;
  version: number;
}

/** One hosted actor: its record and where its journal stands. */
export interface Slot<T extends HostedRecord> {
  record: T;
  /** Last sequence of this actor's subject in the stream (0 = none yet). */
  seq: number;
  persisted: number;
  events: string[];
  writing: Promise<void> | undefined;
  waiters: Array<{ version: number; resolve: () => void; reject: (e: unknown) => void }>;
  removed: boolean;
  /** Holds on the actor's deferred changes (see `hold`). */
  held: number;
  /** An undeferred change is waiting to be written. */
  urgent: boolean;
  /** The actor's subject (computed once). */
  subj?: string;
}

/** A slot for a record whose journal stands at `seq` with version `persisted` written. */
export function newSlot<T extends HostedRecord>(record: T, seq: number, persisted: number): Slot<T> {
  return {
    record,
    seq,
    persisted,
    events: [],
    writing: undefined,
    waiters: [],
    removed: false,
    held: 0,
    urgent: false,
  };
}
