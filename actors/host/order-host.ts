import type { NatsConnection } from '@nats-io/transport-node';
import { subject } from '../../src/bus/subjects.ts';
import type { JournalEntry } from '../../src/store/journal.ts';
import { type OrderJournal, OwnershipLostError } from '../../src/store/order-journal.ts';

/** What every hosted record carries: identity and an event counter. */
export interface HostedRecord {
  level: string;
  id: number;
  version: number;
}

/**
 * What `<prefix>.inspect.order.<kind>.<id>` carries for every transition of a hosted actor: enough
 * for a live view of a family without reading anything else (docs/stack-handler.md "Inspection").
 */
export interface InspectEvent {
  kind: string;
  id: number;
  /** The family root: the instrument order id (the order itself at instrument level). */
  root: number | null;
  /** The event the actor took (a machine event type, or the host's CREATED / COMPLETED). */
  event: string;
  version: number;
  /** The machine state value after the event. */
  state: string;
  context: Record<string, unknown>;
  /** Clock time of the transition (the injected clock, epoch ms). */
  at: number;
}

interface Slot<T extends HostedRecord> {
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
  /** The live actors (per `opts.isLive`) by level: what the loop passes look at. */
  private readonly liveByLevel = new Map<string, Map<number, Slot<T>>>();
  private count = 0;
  /** Actors with deferred changes waiting, by how long they may wait (`deferMs`, `lazyMs`). */
  private readonly deferred = new Map<number, { slots: Set<Slot<T>>; timer: NodeJS.Timeout | undefined }>();
  private fatal: unknown;

  constructor(
    private readonly store: OrderJournal,
    private readonly opts: {
      nc?: NatsConnection;
      prefix: string;
      inspect?: boolean;
      onFatal?: (err: unknown) => void;
      /** How long a deferred change waits for company before it is written (default 50 ms). */
      deferMs?: number;
      /** How long a lazy change waits (default 1000 ms). */
      lazyMs?: number;
      /** Which records `liveOfLevel` lists (default: all). */
      isLive?: (r: T) => boolean;
      /** The inspection view of a record (family root, state, context summary). */
      describe?: (r: T) => Pick<InspectEvent, 'root' | 'state' | 'context'>;
      /** The injected clock, for the inspection events' time. */
      now?: () => number;
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

  /** The live records of one level (see `isLive`), in insertion order. */
  *liveOfLevel(level: string): IterableIterator<T> {
    for (const s of this.liveByLevel.get(level)?.values() ?? []) yield s.record;
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
    if (live) m.set(id, slot);
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
    const slot: Slot<T> = {
      record,
      seq: 0,
      persisted: 0,
      events: [],
      writing: undefined,
      waiters: [],
      removed: false,
      held: 0,
      urgent: false,
    };
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
      this.put({
        record: r,
        seq: e.seq,
        persisted: r.version,
        events: [],
        writing: undefined,
        waiters: [],
        removed: false,
        held: 0,
        urgent: false,
      });
      n++;
    }
    return n;
  }

  /** Events recorded by this host's actors since it started (spawns included). */
  eventsRecorded = 0;

  private record(slot: Slot<T>, event: string, waitMs?: number): void {
    this.eventsRecorded++;
    slot.events.push(event);
    const { nc, prefix, inspect } = this.opts;
    if (nc && inspect !== false) {
      const r = slot.record;
      const d = this.opts.describe?.(r) ?? { root: null, state: '', context: {} };
      const body: InspectEvent = {
        kind: r.level,
        id: r.id,
        root: d.root,
        event,
        version: r.version,
        state: d.state,
        context: d.context,
        at: this.opts.now?.() ?? 0,
      };
      nc.publish(subject(prefix, 'inspect', 'order', r.level, String(r.id)), JSON.stringify(body));
    }
    if (waitMs === undefined) {
      slot.urgent = true;
      this.kickSoon(slot);
      return;
    }
    this.armDefer(slot, waitMs);
  }

  /** Actors with an undeferred change, written once the current synchronous step is done. */
  private readonly soon = new Set<Slot<T>>();

  /**
   * Write at the end of the current synchronous step (a microtask): what one step changes in an
   * actor (e.g. a contract order's ALGO_CONTROL and BROKER_ORDER_CREATED) lands as one append.
   * Nothing in between can observe the difference: `durable()` writes at once.
   */
  private kickSoon(slot: Slot<T>): void {
    if (this.soon.size === 0)
      queueMicrotask(() => {
        const slots = [...this.soon];
        this.soon.clear();
        for (const s of slots) this.kick(s);
      });
    this.soon.add(slot);
  }

  private armDefer(slot: Slot<T>, waitMs: number): void {
    let q = this.deferred.get(waitMs);
    if (!q) {
      q = { slots: new Set(), timer: undefined };
      this.deferred.set(waitMs, q);
    }
    q.slots.add(slot);
    const queue = q;
    queue.timer ??= setTimeout(() => {
      queue.timer = undefined;
      const slots = [...queue.slots];
      queue.slots.clear();
      // A held actor is written when its hold is released.
      for (const sl of slots) if (sl.held === 0) this.kick(sl);
    }, waitMs);
  }

  private kick(slot: Slot<T>): void {
    for (const q of this.deferred.values()) q.slots.delete(slot);
    this.soon.delete(slot);
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
        const ready = slot.waiters.filter((w) => w.version <= version);
        slot.waiters = slot.waiters.filter((w) => w.version > version);
        for (const w of ready) w.resolve();
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
