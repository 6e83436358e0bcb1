/**
 * Pure event-sourcing helpers over any machine of this folder (stack-notes §3.1, §3.2).
 *
 * - `start(machine, input)` → `{ snapshot, emitted }`: the initial snapshot and what it emitted.
 * - `step(machine, snapshot, event)` → `{ snapshot, emitted, ignored }`: the next snapshot and the
 *   events it emitted (commands and facts for the host to perform / publish). Nothing is executed:
 *   xstate's `transition()` returns actions, and the emitted events are read off them.
 * - `persist(machine, snapshot)` → JSON-safe object; `restore(machine, json)` → snapshot to step on.
 *
 * A host persists the snapshot after each step, then performs the emitted events. A machine that
 * reached a final state ignores every further event: `step` then returns `ignored: true` and the
 * same snapshot, so the host can report the event instead of losing it silently.
 */
import {
  type AnyStateMachine,
  createActor,
  type EmittedFrom,
  type EventFromLogic,
  type InputFrom,
  initialTransition,
  type SnapshotFrom,
  transition,
} from 'xstate';

export interface StepResult<M extends AnyStateMachine> {
  readonly snapshot: SnapshotFrom<M>;
  readonly emitted: Array<EmittedFrom<M>>;
  /** True when the machine was already done and the event changed nothing. */
  readonly ignored: boolean;
}

interface ActionLike {
  readonly type: string;
  readonly params?: unknown;
}

function emittedOf<M extends AnyStateMachine>(actions: readonly ActionLike[]): Array<EmittedFrom<M>> {
  const out: Array<EmittedFrom<M>> = [];
  for (const a of actions) {
    if (a.type !== 'xstate.emit') continue;
    const params = a.params as { event?: EmittedFrom<M> } | undefined;
    if (params?.event) out.push(params.event);
  }
  return out;
}

/** Names of the non-builtin actions a step resolved (for hosts that provide named actions). */
export function namedActions(actions: readonly ActionLike[]): string[] {
  return actions.map((a) => a.type).filter((t) => !t.startsWith('xstate.'));
}

export function start<M extends AnyStateMachine>(machine: M, input: InputFrom<M>): StepResult<M> {
  const [snapshot, actions] = initialTransition(machine, input);
  return { snapshot: snapshot as SnapshotFrom<M>, emitted: emittedOf<M>(actions), ignored: false };
}

export function step<M extends AnyStateMachine>(
  machine: M,
  snapshot: SnapshotFrom<M>,
  event: EventFromLogic<M>,
): StepResult<M> {
  const status = (snapshot as { status?: string }).status;
  if (status !== 'active') return { snapshot, emitted: [], ignored: true };
  const [next, actions] = transition(machine, snapshot, event);
  return { snapshot: next as SnapshotFrom<M>, emitted: emittedOf<M>(actions), ignored: false };
}

/** Fold a list of events from a snapshot; emitted events are concatenated in order. */
export function stepAll<M extends AnyStateMachine>(
  machine: M,
  snapshot: SnapshotFrom<M>,
  events: ReadonlyArray<EventFromLogic<M>>,
): StepResult<M> {
  let snap = snapshot;
  const emitted: Array<EmittedFrom<M>> = [];
  let ignored = false;
  for (const e of events) {
    const r = step(machine, snap, e);
    snap = r.snapshot;
    emitted.push(...r.emitted);
    ignored = ignored || r.ignored;
  }
  return { snapshot: snap, emitted, ignored };
}

/** A JSON-safe persisted snapshot (what the stack handler stores). */
export function persist<M extends AnyStateMachine>(machine: M, snapshot: SnapshotFrom<M>): unknown {
  return JSON.parse(JSON.stringify(machine.getPersistedSnapshot(snapshot)));
}

/** Rebuild a snapshot from its persisted JSON, ready for `step` (or `createActor({ snapshot })`). */
export function restore<M extends AnyStateMachine>(machine: M, persisted: unknown): SnapshotFrom<M> {
  const actor = createActor(machine as AnyStateMachine, { snapshot: persisted as SnapshotFrom<M> });
  return actor.getSnapshot() as SnapshotFrom<M>;
}
