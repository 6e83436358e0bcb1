import {
  type Actor,
  type AnyStateMachine,
  createActor,
  type EmittedFrom,
  type EventFromLogic,
  type InputFrom,
  type Snapshot,
  type SnapshotFrom,
} from 'xstate';
import { KeptMachine, type MachineState, withInputPart } from './stored-machine.ts';

/** A hosted record that carries its machine's persisted snapshot. */
export interface MachineRecord {
  /** The persisted snapshot (JSON) of the record's machine: restored from, never edited by hand. */
  machine?: unknown;
}

/**
 * One live xstate actor per hosted record, created through xstate's public API (`createActor`,
 * `send`, `getSnapshot`, `getPersistedSnapshot`, `on('*')`). A record restored from JetStream
 * carries its machine's persisted snapshot and gets an actor started from it (actions are not run
 * again); a new record gets an actor started from its input. What the machine emits in one `send`
 * is returned to the caller, who performs it (forwards fills up, completes the family...).
 *
 * The record carries its machine's state value and context after every event (`keep`): written
 * with the record, restored through `machine.resolveState`. With `inputKey`, the context's part
 * that is the machine's input as given (`context[inputKey] === input[inputKey]`, built from the
 * record by `inputOf`) is written only when the record no longer rebuilds it exactly, and put
 * back from the record on restore (stored-machine.ts).
 */
export class MachineActors<M extends AnyStateMachine, R extends MachineRecord> {
  private readonly live = new WeakMap<R, Actor<M>>();
  private sink: Array<EmittedFrom<M>> | undefined;

  constructor(
    readonly machine: M,
    private readonly inputOf: (r: R) => InputFrom<M>,
    private readonly inputKey?: string,
  ) {}

  /** The context's input part as the record gives it now (see `inputKey`). */
  private readonly inputPart = (r: R): unknown =>
    (this.inputOf(r) as Record<string, unknown>)[this.inputKey ?? ''];

  /** The record's actor (started from its snapshot, or from its input for a new record). */
  actor(r: R, input?: InputFrom<M>): Actor<M> {
    let a = this.live.get(r);
    if (a) return a;
    // With a snapshot, xstate restores it and does not read the input. The stored form is the
    // state value and context (see `keep`), resolved by the machine itself.
    const restored = r.machine === undefined ? {} : { snapshot: this.resolve(r) };
    a = createActor(this.machine, { input: input ?? this.inputOf(r), ...restored });
    a.on('*', (e) => {
      this.sink?.push(e as EmittedFrom<M>);
    });
    this.live.set(r, a);
    const started = this.collect(a);
    this.keep(r, a);
    if (started.length > 0) this.pendingStart.set(r, started);
    return a;
  }

  /** What the machine emitted while starting (an initial `always` may complete a zero order). */
  private readonly pendingStart = new WeakMap<R, Array<EmittedFrom<M>>>();

  /** Start the record's actor now (from `input`, when given, for a new record); returns what it emitted on start. */
  start(r: R, input?: InputFrom<M>): { snapshot: SnapshotFrom<M>; emitted: Array<EmittedFrom<M>> } {
    const a = this.actor(r, input);
    const emitted = this.pendingStart.get(r) ?? [];
    this.pendingStart.delete(r);
    return { snapshot: a.getSnapshot() as SnapshotFrom<M>, emitted };
  }

  /** Send one event; returns the snapshot after it and what the machine emitted. */
  send(r: R, event: EventFromLogic<M>): { snapshot: SnapshotFrom<M>; emitted: Array<EmittedFrom<M>> } {
    const a = this.actor(r);
    const before = this.pendingStart.get(r);
    if (before) this.pendingStart.delete(r);
    const out = this.collect(a, event);
    this.keep(r, a);
    return { snapshot: a.getSnapshot() as SnapshotFrom<M>, emitted: before ? [...before, ...out] : out };
  }

  snapshot(r: R): SnapshotFrom<M> {
    return this.actor(r).getSnapshot() as SnapshotFrom<M>;
  }

  /**
   * Stop the record's actor: the record left the stack, or its machine is done with the family
   * (a later event starts an actor again from the state the record keeps).
   */
  stop(r: R): void {
    this.live.get(r)?.stop();
    this.live.delete(r);
  }

  /** Start the actor (no event) or send it one; returns what its machine emitted meanwhile. */
  private collect(a: Actor<M>, event?: EventFromLogic<M>): Array<EmittedFrom<M>> {
    const outer = this.sink;
    const out: Array<EmittedFrom<M>> = [];
    this.sink = out;
    try {
      if (event === undefined) a.start();
      else a.send(event);
    } finally {
      this.sink = outer;
    }
    const err = (a.getSnapshot() as { status: string; error?: unknown }).error;
    if (err !== undefined) throw err instanceof Error ? err : new Error(String(err));
    return out;
  }

  /**
   * What a record stores of its machine: the state value and the context (plain data: the order
   * machines hold no actor references in their context), the snapshot's own objects, serialised
   * with the record. xstate's getPersistedSnapshot would walk the whole context looking for actor
   * references on every write (a tenth of the stack handler's CPU); restore resolves the stored
   * value and context with `machine.resolveState` (public API) and starts the actor from it.
   */
  private keep(r: R, a: Actor<M>): void {
    const { value, context } = a.getSnapshot() as MachineState;
    r.machine = this.inputKey === undefined ? { value, context } : this.kept(r, value, context);
  }

  private kept(r: R, value: unknown, context: Record<string, unknown>): KeptMachine<R> {
    return new KeptMachine(value, context, this.inputKey ?? '', this.inputPart, r);
  }

  /**
   * A record read from the journal: its machine state made whole again (the input part put back
   * from the record, see `inputKey`), in the form written with the record from now on. Called
   * for every restored record, before anything changes it (a later change of the fields the
   * input is built from must not change the input part read back).
   */
  revive(r: R): void {
    const key = this.inputKey;
    if (key === undefined || r.machine === undefined || r.machine instanceof KeptMachine) return;
    // The stored state was just read (this record's own objects): made whole in place, no copy.
    const { value, context, fromRecord } = r.machine as MachineState;
    if (fromRecord === key) context[key] = this.inputPart(r);
    r.machine = this.kept(r, value, context);
  }

  /** The record's stored machine state, whole. */
  private stored(r: R): MachineState {
    const s = r.machine as MachineState;
    return this.inputKey === undefined ? s : withInputPart(s, this.inputKey, () => this.inputPart(r));
  }

  /** A record's stored machine state (value and context) as a snapshot to start an actor from. */
  private resolve(r: R): Snapshot<unknown> {
    const { value, context } = this.stored(r);
    return this.machine.resolveState({ value, context } as Parameters<
      M['resolveState']
    >[0]) as Snapshot<unknown>;
  }
}
