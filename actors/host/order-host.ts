import { type InspectOptions, publishInspect } from './inspect.ts';
import { type HostedRecord, newSlot, type Slot } from './slot.ts';
import { WriteSchedule } from './write-schedule.ts';
import type { JournalEntry } from '../../src/store/journal.ts';
import { type OrderJournal, OwnershipLostError } from '../../src/store/order-journal.ts';

export type { InspectEvent } from './inspect.ts';
export type { HostedRecord } from './slot.ts';

const NONE: readonly never[] = [];

/** The persisted form of one actor event: the events since the last write and the state after them. */
export interface ActorEventBody<T> {
  events: string[];
  record: T;
  removed?: boolean;
}

/**
 * The actor host: one actor per live order, owned by this host only. Each change is an event; the
 * host appends it to the actor's own subject with a message id (`<level>.<id>.v<version>`, dedupe)
 * and the expected last subject sequence (so a second writer fails with OwnershipLostError instead
 * of forking the history). Writes are pipelined across actors (many in flight) and coalesced per
 * actor (while one append is in flight, later changes are written together by the next append).
 * `durable()` is the barrier a side effect waits for: e.g. a broker order is durable before it is
 * sent, so a restart re-sends it only with its idempotency key. Every change is also published on
 * `<prefix>.inspect.order.<level>.<id>` for inspection.
 */
export class OrderHost<T extends HostedRecord> {
  /** Actors by level, then id (no key string built per lookup; a level is listed on its own). */
  private readonly byLevel = new Map<string, Map<number, Slot<T>>>();
  /** The live records (per `opts.isLive`) by level, then id: what the loop passes look at. */
  private readonly liveByLevel = new Map<string, Map<number, T>>();
  private count = 0;
  /** When each actor's unwritten changes go: at the end of the step, or after their wait. */
  private readonly schedule = new WriteSchedule<Slot<T>>(
    (s) => this.kick(s),
    (s) => s.held === 0,
  );
  private fatal: unknown;

  constructor(
    private readonly store: OrderJournal,
    private readonly opts: InspectOptions<T> & {
      onFatal?: (err: unknown) => void;
      /** How long a deferred change waits for company before it is written (default 50 ms). */
      deferMs?: number;
      /** How long a lazy change waits (default 1000 ms). */
      lazyMs?: number;
      /** Which records `liveOfLevel` lists (default: all). */
      isLive?: (r: T) => boolean;
      /** Called for each record `restore` reads, before it is hosted (e.g. its machine state made whole). */
      revive?: (r: T) => void;
    },
  ) {}

  private key(level: string, id: number): string {
    return `${level}.${id}`;
  }

  get(level: string, id: number): T | undefined {
    return this.slot(level, id)?.record;
  }

  *all(): IterableIterator<T> {
    for (const m of this.byLevel.values()) for (const s of m.values()) yield s.record;
  }

  get size(): number {
    return this.count;
  }

  /** The records of one level, in insertion order. */
  *ofLevel(level: string): IterableIterator<T> {
    for (const s of this.byLevel.get(level)?.values() ?? []) yield s.record;
  }

  /** The live records of one level (see `isLive`), in insertion order (no generator: every pass reads it). */
  liveOfLevel(level: string): Iterable<T> {
    return this.liveByLevel.get(level)?.values() ?? NONE;
  }

  /** Keep the live index in step with a record (after it was created, changed or restored). */
  private indexLive(slot: Slot<T>): void {
    const { level, id } = slot.record;
    let m = this.liveByLevel.get(level);
    if (!m) {
      m = new Map();
      this.liveByLevel.set(level, m);
    }
    const live = !slot.removed && (this.opts.isLive?.(slot.record) ?? true);
    if (live) m.set(id, slot.record);
    else m.delete(id);
  }

  private slot(level: string, id: number): Slot<T> | undefined {
    return this.byLevel.get(level)?.get(id);
  }

  private put(slot: Slot<T>): void {
    const { level, id } = slot.record;
    let m = this.byLevel.get(level);
    if (!m) {
      m = new Map();
      this.byLevel.set(level, m);
    }
    if (!m.has(id)) this.count++;
    m.set(id, slot);
    this.indexLive(slot);
  }

  /**
   * Start an actor for a new record (its first event). With `defer`, its first write waits as a
   * deferred change does (see `change`): it then goes with the actor's next undeferred change.
   */
  spawn(record: T, event: string, opts: { defer?: boolean | 'lazy' } = {}): T {
    this.throwIfFatal();
    const k = this.key(record.level, record.id);
    if (this.slot(record.level, record.id)) throw new Error(`actor ${k} already exists`);
    const slot = newSlot(record, 0, 0);
    this.put(slot);
    record.version = Math.max(1, record.version);
    this.record(slot, event, this.waitOf(opts.defer));
    return record;
  }

  /**
   * Apply an event to an actor: `fn` changes the record; the change is persisted behind. With
   * `defer`, the write waits up to `deferMs` (or until the next undeferred change of the actor or
   * `durable`) so it coalesces with what follows: for changes whose durability nothing waits on
   * and that a restore re-derives, such as order fills (from the fills stream) or a broker order's
   * submission (re-sent idempotently). A `lazy` change waits `lazyMs`. A fill's changes to its three orders are then written with
   * the family's completion, one append per order, instead of separately.
   */
  change<L extends T['level']>(
    level: L,
    id: number,
    event: string,
    fn: (r: Extract<T, { level: L }>) => void,
    opts: { defer?: boolean | 'lazy' } = {},
  ): Extract<T, { level: L }> {
    this.throwIfFatal();
    const slot = this.slot(level, id);
    if (!slot) throw new Error(`no actor ${this.key(level, id)}`);
    // The slot of `level` holds a record of that level (`put` files records by their own level).
    const rec = slot.record as Extract<T, { level: L }>;
    fn(rec);
    slot.record.version++;
    this.indexLive(slot);
    this.record(slot, event, this.waitOf(opts.defer));
    return rec;
  }

  /** How long a change may wait for company before it is written (undefined: written now). */
  private waitOf(defer: boolean | 'lazy' | undefined): number | undefined {
    if (defer === 'lazy') return this.opts.lazyMs ?? 1000;
    return defer === true ? (this.opts.deferMs ?? 50) : undefined;
  }

  /**
   * Keep the actors' deferred changes unwritten until the returned release is called, however long
   * that takes: a step with an await in the middle (e.g. a family's completion waiting for its
   * history record) then lands as one append per actor with the changes made before the await.
   * Only deferred changes wait: an undeferred change or `durable()` writes at once, held or not.
   */
  hold(members: Array<{ level: string; id: number }>): () => void {
    const slots = members.map((m) => this.slot(m.level, m.id)).filter((s): s is Slot<T> => s !== undefined);
    for (const s of slots) s.held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const s of slots) {
        s.held--;
        if (s.held === 0 && !s.writing && !s.removed && s.persisted < s.record.version) this.kick(s);
      }
    };
  }

  /** Resolves when the actor's current state is in JetStream. */
  durable(level: string, id: number): Promise<void> {
    const slot = this.slot(level, id);
    if (!slot || slot.persisted >= slot.record.version) return Promise.resolve();
    // A stopped host writes nothing more: what it did not write is not durable.
    if (this.fatal) return Promise.reject(this.stoppedError());
    const p = new Promise<void>((resolve, reject) =>
      slot.waiters.push({ version: slot.record.version, resolve, reject }),
    );
    this.kick(slot);
    return p;
  }

  /** Resolves when every actor's state is in JetStream. */
  async flush(): Promise<void> {
    await Promise.all([...this.all()].map((r) => this.durable(r.level, r.id)));
    this.throwIfFatal();
  }

  /** Stop an actor and remove its subject (its record must already be in history). */
  async remove(level: string, id: number): Promise<void> {
    const slot = this.slot(level, id);
    if (!slot) return;
    await this.durable(level, id);
    slot.removed = true;
    if (this.byLevel.get(level)?.delete(id)) this.count--;
    this.liveByLevel.get(level)?.delete(id);
    await this.store.purgeOrder(this.store.orderSubject(level, id));
  }

  /** Restore every open actor from the last message of its subject (snapshot). */
  restore(entries: Array<JournalEntry<ActorEventBody<T>>>): number {
    let n = 0;
    for (const e of entries) {
      if (e.data.removed) continue;
      const r = e.data.record;
      this.opts.revive?.(r);
      this.put(newSlot(r, e.seq, r.version));
      n++;
    }
    return n;
  }

  /** Events recorded by this host's actors since it started (spawns included). */
  eventsRecorded = 0;

  private record(slot: Slot<T>, event: string, waitMs?: number): void {
    this.eventsRecorded++;
    slot.events.push(event);
    publishInspect(this.opts, slot.record, event);
    if (waitMs === undefined) {
      slot.urgent = true;
      this.schedule.soon(slot);
      return;
    }
    this.schedule.defer(slot, waitMs);
  }

  private kick(slot: Slot<T>): void {
    this.schedule.cancel(slot);
    if (slot.writing || slot.removed) return;
    slot.writing = this.writeLoop(slot).finally(() => {
      slot.writing = undefined;
      if (this.fatal || slot.removed || slot.persisted >= slot.record.version) return;
      // What changed during the write goes next, unless it is held deferred changes only.
      if (this.mustWrite(slot)) this.kick(slot);
    });
  }

  /** Whether what is left unwritten goes now: not when it is only held deferred changes. */
  private mustWrite(slot: Slot<T>): boolean {
    return slot.held === 0 || slot.urgent || slot.waiters.length > 0;
  }

  private async writeLoop(slot: Slot<T>): Promise<void> {
    const r = slot.record;
    slot.subj ??= this.store.orderSubject(r.level, r.id);
    const subj = slot.subj;
    try {
      while (!slot.removed && slot.persisted < r.version) {
        const version = r.version;
        const body: ActorEventBody<T> = { events: slot.events, record: r };
        slot.events = [];
        slot.urgent = false;
        slot.seq = await this.store.appendOrder(subj, body, `${r.level}.${r.id}.v${version}`, slot.seq);
        slot.persisted = version;
        if (slot.waiters.length > 0) {
          const ready = slot.waiters.filter((w) => w.version <= version);
          slot.waiters = slot.waiters.filter((w) => w.version > version);
          for (const w of ready) w.resolve();
        }
        if (!this.mustWrite(slot)) break;
      }
    } catch (err) {
      this.fatal ??= err;
      for (const w of slot.waiters) w.reject(err);
      slot.waiters = [];
      this.opts.onFatal?.(err);
    }
  }

  private throwIfFatal(): void {
    if (this.fatal) throw this.stoppedError();
  }

  private stoppedError(): unknown {
    return this.fatal instanceof OwnershipLostError
      ? this.fatal
      : new Error(`order host stopped: ${String(this.fatal)}`);
  }
}
