/**
 * The visualizer's data: core NATS subscriptions to the inspection subjects (order and strategy
 * actors) and the roll-status journal subjects (the live actors, latest event each, and
 * server-sent event listeners), and the replay of one order family read through the order
 * journal port (`src/store/order-journal.ts`, JetStream or MongoDB by `storage_backend`): the
 * stack's events (or, once purged at end of day, the family's completed record in the history).
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { subject } from '../../bus/subjects.ts';
import type { OrderJournal } from '../../store/order-journal.ts';
import { type ActorEvent, FamilyIndex, fromInspect, fromRecord, fromRollEvent } from './events.ts';

type Listener = (e: ActorEvent) => void;

/** At most this many live actors are kept (the oldest-updated go first). */
const MAX_ACTORS = 5000;

export class VisualizerFeed {
  private readonly actors = new Map<string, ActorEvent>();
  private readonly listeners = new Set<Listener>();
  private readonly index = new FamilyIndex();
  private readonly subs: Subscription[] = [];

  constructor(
    private readonly nc: NatsConnection,
    readonly prefix: string,
    private readonly machines: readonly string[],
    /** The order journal replays read (opened on the first replay). */
    private readonly journal: () => Promise<OrderJournal>,
  ) {}

  /** The subjects read live (documented in docs/visualizer.md). */
  get subjects(): string[] {
    return [this.inspectSubject, this.strategySubject, this.rollsSubject];
  }

  /** The strategy actors' transitions (actors/strategy-actors.ts), in the same inspect shape. */
  private get strategySubject(): string {
    return subject(this.prefix, 'inspect', 'strategy', '>');
  }

  private get inspectSubject(): string {
    return subject(this.prefix, 'inspect', 'order', '>');
  }

  private get rollsSubject(): string {
    return subject(this.prefix, 'rolls', 'event', '>');
  }

  start(): void {
    const rollPrefix = `${subject(this.prefix, 'rolls', 'event')}.`;
    this.subs.push(
      this.nc.subscribe(this.inspectSubject, {
        callback: (err, m) => {
          if (err) return;
          this.accept(fromInspect(parse(m.string()), this.index, this.machines));
        },
      }),
      this.nc.subscribe(this.strategySubject, {
        callback: (err, m) => {
          if (err) return;
          this.accept(fromInspect(parse(m.string()), this.index, this.machines));
        },
      }),
      this.nc.subscribe(this.rollsSubject, {
        callback: (err, m) => {
          if (err) return;
          const instrument = m.subject.slice(rollPrefix.length);
          const previous = this.actors.get(`roll:${instrument}`)?.state ?? null;
          this.accept(fromRollEvent(instrument, parse(m.string()), previous));
        },
      }),
    );
  }

  /** Resolves once the subscriptions are registered with the server. */
  async ready(): Promise<void> {
    await this.nc.flush();
  }

  stop(): void {
    for (const s of this.subs) s.unsubscribe();
    this.subs.length = 0;
    this.listeners.clear();
  }

  private accept(e: ActorEvent | null): void {
    if (!e) return;
    const key = `${e.kind}:${e.id}`;
    const known = this.actors.get(key);
    // A late, older message never moves an actor back.
    if (known && known.version !== null && e.version !== null && e.version < known.version) return;
    this.actors.delete(key);
    this.actors.set(key, e);
    if (this.actors.size > MAX_ACTORS) {
      const oldest = this.actors.keys().next().value;
      if (oldest !== undefined) this.actors.delete(oldest);
    }
    for (const l of this.listeners) l(e);
  }

  /** Live actors (latest event of each), by kind then id. */
  list(): ActorEvent[] {
    return [...this.actors.values()].sort((a, b) =>
      a.kind === b.kind
        ? a.id.localeCompare(b.id, undefined, { numeric: true })
        : a.kind.localeCompare(b.kind),
    );
  }

  listen(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** The steps of one family from the journal, in the order they were written. */
  async replay(root: string): Promise<ActorEvent[]> {
    const index = new FamilyIndex();
    const orders = await this.journal();
    const stack = (await orders.loadStackEvents<unknown>()).map((e) => e.data);
    const steps: ActorEvent[] = [];
    for (const body of stack) {
      if (!isObj(body)) continue;
      const events = Array.isArray(body.events) ? body.events.filter((x) => typeof x === 'string') : [];
      const e = fromRecord(body.record, events.join(', ') || 'SNAPSHOT', index, this.machines);
      if (e) steps.push(e);
    }
    // Roots are known only once every parent has been read: resolve them after the pass.
    const family = steps
      .map((e) => ({ ...e, root: index.rootOf(e.kind, e.id) }))
      .filter((e) => e.root === root);
    if (family.length > 0) return family;
    const historySubject = subject(this.prefix, 'history', 'instrument', root);
    const history = (await orders.loadHistory<unknown>())
      .filter((e) => e.subject === historySubject)
      .map((e) => e.data);
    const out: ActorEvent[] = [];
    for (const h of history) {
      if (!isObj(h)) continue;
      const records = [h.instrument, ...asArray(h.contracts), ...asArray(h.brokers)];
      for (const r of records) {
        const e = fromRecord(r, 'COMPLETED (history)', index, this.machines);
        if (e) out.push({ ...e, root });
      }
    }
    return out;
  }
}

const isObj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function parse(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return null; // not JSON: not an event we read
  }
}
