/**
 * Strategy actors: one `machines/strategy.ts` actor per configured strategy, run through xstate's
 * public API (`createActor`, `inspect`, `getPersistedSnapshot`) by whichever process does the
 * strategy's work — run_systems (CLOCK_TICK → running → SYSTEM_DONE / SYSTEM_FAILED) and
 * run_strategy_order_generator (GENERATE_ORDERS → generatingOrders → ORDERS_SENT / ORDERS_FAILED).
 *
 * - Durable: the actor's persisted snapshot lives in the keyed records of the selected backend
 *   (`<PREFIX>_STRATEGY_ACTORS` KV, or MongoDB `strategy_actors`; key: the strategy), written with
 *   the revision it was read at, and before the work of a step starts (so a restart finds the actor busy, and who was running it).
 * - Inspectable: every transition is published, once it is durable, on
 *   `<prefix>.inspect.strategy.<strategy>` as `{ kind, id, root, event, version, state, context,
 *   at }` (the inspect shape of the order actors; `at` is the injected clock).
 * - Restart: a busy actor whose process is gone (no lease held by its pid) is taken over. The same
 *   kind of work is resumed in the same run (an order generation keeps its run number, so its
 *   order request ids are the same and the work queue's dedupe keeps every order single); the
 *   other kind is ended as failed ("interrupted") and reset first.
 */
import { hostname } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import { createActor } from 'xstate';
import { type StrategyMachineEvent, strategyMachine } from '../machines/strategy.ts';
import type { Clock } from '../src/clock.ts';
import { keyToken } from '../src/store/kv-json.ts';
import type { Records } from '../src/store/records.ts';
import {
  inspectStrategySubject,
  type OrderWork,
  openStrategyActorRecords,
  readStrategyActor,
  StrategyActorBusyError,
  type StrategyActorContext,
  type StrategyActorOwner,
  type StrategyActorRecord,
  StrategyEventRefusedError,
  type StrategyInspectEvent,
  type StrategySnapshot,
  type SystemWork,
  UnknownStrategyError,
} from './strategy-actor-records.ts';
import { ProcessStore } from './supervisor/process-store.ts';

const BUSY: Record<string, 'system' | 'orders'> = { running: 'system', generatingOrders: 'orders' };

export class StrategyActors {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly instance = `${Math.random().toString(36).slice(2)}`;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    readonly kv: Records,
    private readonly opts: { strategies: readonly string[]; clock: Clock },
  ) {}

  static async open(
    nc: NatsConnection,
    prefix: string,
    opts: { strategies: readonly string[]; clock: Clock },
  ): Promise<StrategyActors> {
    return new StrategyActors(nc, prefix, await openStrategyActorRecords(nc, prefix), opts);
  }

  /** A configured strategy's name, or UnknownStrategyError (reserved names included). */
  check(strategy: string): string {
    if (!this.opts.strategies.includes(strategy))
      throw new UnknownStrategyError(
        `'${strategy}' is not a strategy in strategy_list (configured: ${this.opts.strategies.join(', ') || 'none'})`,
      );
    try {
      return keyToken(strategy, 'strategy');
    } catch (err) {
      throw new UnknownStrategyError(err instanceof Error ? err.message : String(err));
    }
  }

  async read(strategy: string): Promise<StrategyActorRecord | undefined> {
    return (await readStrategyActor(this.kv, this.check(strategy)))?.record;
  }

  /** One system run of the strategy (run_systems). */
  async runSystem(strategy: string, process: string, work: SystemWork): Promise<StrategyActorRecord> {
    return this.serial(this.check(strategy), () =>
      this.drive(strategy, process, 'system', async (send) => {
        try {
          const r = await work();
          return send({ type: 'SYSTEM_DONE', now: this.opts.clock.now(), positions: r.positions });
        } catch (err) {
          return send({ type: 'SYSTEM_FAILED', now: this.opts.clock.now(), error: message(err) });
        }
      }),
    );
  }

  /** One order generation of the strategy (run_strategy_order_generator). */
  async generateOrders(strategy: string, process: string, work: OrderWork): Promise<StrategyActorRecord> {
    return this.serial(this.check(strategy), () =>
      this.drive(strategy, process, 'orders', async (send, ctx) => {
        const tag = `run${ctx.order_runs}@${ctx.last_orders_at ?? 0}`;
        try {
          const r = await work(tag);
          return send({ type: 'ORDERS_SENT', now: this.opts.clock.now(), ...r });
        } catch (err) {
          return send({ type: 'ORDERS_FAILED', now: this.opts.clock.now(), error: message(err) });
        }
      }),
    );
  }

  /** Clear a failure (RESET); refused unless the actor is `failed`. */
  async reset(strategy: string): Promise<StrategyActorRecord> {
    return this.serial(this.check(strategy), async () => {
      const s = await this.load(strategy);
      if (String(s.actor.getSnapshot().value) !== 'failed')
        throw new StrategyEventRefusedError(
          `RESET does not apply: strategy ${strategy} is ${String(s.actor.getSnapshot().value)}`,
        );
      s.actor.send({ type: 'RESET' });
      return this.save(s, null);
    });
  }

  private serial<T>(strategy: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(strategy) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    // the queue only orders the steps; each caller sees its own outcome
    this.queues.set(
      strategy,
      next.catch(() => undefined),
    );
    return next;
  }

  private async drive(
    strategy: string,
    process: string,
    kind: 'system' | 'orders',
    perform: (
      send: (e: StrategyMachineEvent) => Promise<StrategyActorRecord>,
      ctx: StrategyActorContext,
    ) => Promise<StrategyActorRecord>,
  ): Promise<StrategyActorRecord> {
    const s = await this.load(strategy);
    const owner: StrategyActorOwner = {
      process,
      pid: globalThis.process.pid,
      host: globalThis.process.env.SYSTACK_HOST ?? hostname(),
      instance: this.instance,
    };
    const value = () => String(s.actor.getSnapshot().value);
    const busy = BUSY[value()];
    let resume = false;
    if (busy) {
      await this.checkOwnerGone(strategy, s.owner);
      if (busy === kind) resume = true;
      else {
        const error = `interrupted: ${s.owner?.process ?? 'its process'} ended before the run finished`;
        const now = this.opts.clock.now();
        s.actor.send(
          busy === 'system' ? { type: 'SYSTEM_FAILED', now, error } : { type: 'ORDERS_FAILED', now, error },
        );
      }
    }
    if (!resume) {
      if (value() === 'failed') s.actor.send({ type: 'RESET' });
      const now = this.opts.clock.now();
      s.actor.send(kind === 'system' ? { type: 'CLOCK_TICK', now } : { type: 'GENERATE_ORDERS', now });
      if (BUSY[value()] !== kind)
        throw new StrategyEventRefusedError(`strategy ${strategy} is ${value()}: it takes no ${kind} run`);
    }
    await this.save(s, owner);
    return perform(async (e) => {
      s.actor.send(e);
      return this.save(s, null);
    }, s.actor.getSnapshot().context);
  }

  /** A busy actor may be taken over only when the process running it is gone. */
  private async checkOwnerGone(strategy: string, owner: StrategyActorOwner | null): Promise<void> {
    if (!owner || owner.instance === this.instance) return;
    const lease = await (await ProcessStore.open(this.nc, this.prefix)).getLease(owner.process);
    if (lease && lease.pid === owner.pid && lease.host === owner.host)
      throw new StrategyActorBusyError(
        `strategy ${strategy} is busy in ${owner.process} (pid ${owner.pid} on ${owner.host})`,
      );
  }

  private async load(strategy: string): Promise<Loaded> {
    const stored = await readStrategyActor(this.kv, strategy);
    const pending: StrategyInspectEvent[] = [];
    let version = stored?.record.version ?? 0;
    const restored = stored !== undefined;
    const actor = createActor(strategyMachine, {
      input: actorInput(strategy),
      ...(stored ? { snapshot: stored.record.snapshot as StrategySnapshot } : {}),
      inspect: (ev) => {
        if (ev.type !== '@xstate.snapshot' || ev.actorRef !== actor) return;
        const init = ev.event.type === 'xstate.init';
        if (init && restored) return; // not a transition: the stored state, read back
        version++;
        pending.push(
          this.inspectEvent(strategy, init ? 'CREATED' : ev.event.type, version, actor.getSnapshot()),
        );
      },
    });
    actor.start();
    return {
      strategy,
      actor,
      pending,
      revision: stored?.revision ?? 0,
      owner: stored?.record.owner ?? null,
      version: () => version,
    };
  }

  /** Write the snapshot (revision-checked), then publish the transitions it holds. */
  private async save(s: Loaded, owner: StrategyActorOwner | null): Promise<StrategyActorRecord> {
    const snap = s.actor.getSnapshot();
    const record: StrategyActorRecord = {
      strategy_name: s.strategy,
      state: String(snap.value),
      version: s.version(),
      owner,
      updated_at: this.opts.clock.now(),
      context: snap.context,
      snapshot: JSON.parse(JSON.stringify(s.actor.getPersistedSnapshot())) as unknown,
    };
    try {
      s.revision =
        s.revision === 0
          ? await this.kv.create(s.strategy, record)
          : await this.kv.update(s.strategy, record, s.revision);
    } catch (err) {
      throw new StrategyActorBusyError(
        `strategy ${s.strategy} was changed by another process (${message(err)}); nothing was run`,
      );
    }
    s.owner = owner;
    for (const e of s.pending.splice(0)) this.publish(e);
    return record;
  }

  private inspectEvent(strategy: string, event: string, version: number, snap: StrategySnapshot) {
    const e: StrategyInspectEvent = {
      kind: 'strategy',
      id: strategy,
      root: null,
      event,
      version,
      state: String(snap.value),
      context: snap.context,
      at: this.opts.clock.now(),
    };
    return e;
  }

  private publish(e: StrategyInspectEvent): void {
    this.nc.publish(inspectStrategySubject(this.prefix, e.id), JSON.stringify(e));
  }

  /**
   * Publish each stored actor's state as a `RESTORED` inspect event (its version unchanged): what
   * a host does when it starts, so a restarted process shows where every strategy stands.
   */
  async announce(): Promise<StrategyActorRecord[]> {
    const out: StrategyActorRecord[] = [];
    for (const strategy of this.opts.strategies) {
      const stored = await readStrategyActor(this.kv, strategy).catch(() => undefined);
      if (!stored) continue;
      const snap = createActor(strategyMachine, {
        input: actorInput(strategy),
        snapshot: stored.record.snapshot as StrategySnapshot,
      }).getSnapshot();
      this.publish(this.inspectEvent(strategy, 'RESTORED', stored.record.version, snap));
      out.push(stored.record);
    }
    return out;
  }
}

interface Loaded {
  strategy: string;
  actor: ReturnType<typeof createActor<typeof strategyMachine>>;
  pending: StrategyInspectEvent[];
  revision: number;
  owner: StrategyActorOwner | null;
  version: () => number;
}

/** Under the supervisor the process machine schedules the runs: no limit, no wait, here. */
function actorInput(strategy: string) {
  return { strategy_name: strategy, max_executions: -1, frequency_minutes: 0 };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
