/**
 * Model-based testing of a machine with @xstate/graph: traverse the machine (the model) with a
 * finite event set, then walk every shortest path against a live actor (the system under test)
 * and against the pure `step` helper, checking at each state that all three agree and that the
 * machine's invariant holds.
 */
import { createTestModel } from '@xstate/graph';
import { expect } from 'vitest';
import {
  type AnyStateMachine,
  createActor,
  type EmittedFrom,
  type EventFromLogic,
  type InputFrom,
  type SnapshotFrom,
} from 'xstate';
import { start, step } from '../../../machines/step.ts';

export interface ModelOptions<M extends AnyStateMachine> {
  readonly input: InputFrom<M>;
  readonly events:
    ReadonlyArray<EventFromLogic<M>> | ((s: SnapshotFrom<M>) => ReadonlyArray<EventFromLogic<M>>);
  /** What distinguishes two model states; default: the state value only. */
  readonly serialize?: (s: SnapshotFrom<M>) => unknown;
  /** Which paths to walk: shortest to each state (default) or every simple path. */
  readonly paths?: 'shortest' | 'simple';
  /** Checked on the live actor's snapshot in every state reached. */
  readonly invariant: (s: SnapshotFrom<M>) => void;
}

export interface ModelReport {
  readonly paths: number;
  readonly reached: string[];
  readonly steps: number;
}

const valueKey = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

interface SnapView {
  readonly value: unknown;
  readonly context: unknown;
  readonly status: string;
}
const view = (s: unknown) => s as SnapView;

export async function checkModel<M extends AnyStateMachine>(
  machine: M,
  opts: ModelOptions<M>,
): Promise<ModelReport> {
  const serialize = opts.serialize ?? ((s: SnapshotFrom<M>) => view(s).value);
  const serializeState = (s: SnapshotFrom<M>) => JSON.stringify(serialize(s));
  const model = createTestModel(machine, { input: opts.input, serializeState: serializeState as never });
  // `events` goes to the traversal itself: createTestModel would add a bare `{ type }` event for
  // every event type a state handles (including the '*' wildcard) that the list leaves out.
  // A done actor takes no more events (the graph's raw transition would still move it).
  const events = opts.events;
  const eventsIn = (s: SnapshotFrom<M>) =>
    view(s).status !== 'active' ? [] : typeof events === 'function' ? events(s) : events;
  const traversal =
    opts.paths === 'simple' ? model.getSimplePaths.bind(model) : model.getShortestPaths.bind(model);
  const paths = traversal({
    events: eventsIn as never,
    serializeState: serializeState as never,
  });
  const reached = new Set<string>();
  let steps = 0;
  const stateKeys = Object.keys(machine.root.states);
  for (const path of paths) {
    const actor = createActor(machine as AnyStateMachine, { input: opts.input });
    const actorEmitted: Array<EmittedFrom<M>> = [];
    actor.on('*', (e) => actorEmitted.push(e as EmittedFrom<M>));
    actor.start();
    let pure = start(machine, opts.input);
    const pureEmitted: Array<EmittedFrom<M>> = [...pure.emitted];
    const check = (modelSnap: SnapshotFrom<M>) => {
      const live = actor.getSnapshot() as SnapshotFrom<M>;
      // The model keeps one snapshot per serialized state, so only the serialized part is
      // comparable with the live actor; the pure step must match the live actor exactly.
      expect(view(live).value).toEqual(view(modelSnap).value);
      expect(serialize(live)).toEqual(serialize(modelSnap));
      expect(view(pure.snapshot).value).toEqual(view(live).value);
      expect(view(pure.snapshot).context).toEqual(view(live).context);
      expect(pureEmitted).toEqual(actorEmitted);
      opts.invariant(live);
      reached.add(valueKey(view(live).value));
    };
    const states = Object.fromEntries(stateKeys.map((k) => [k, check]));
    const eventTypes = new Set<string>();
    for (const s of path.steps) eventTypes.add(s.event.type);
    const events = Object.fromEntries(
      [...eventTypes].map((t) => [
        t,
        ({ event }: { event: EventFromLogic<M> }) => {
          steps += 1;
          actor.send(event);
          pure = step(machine, pure.snapshot, event);
          pureEmitted.push(...pure.emitted);
        },
      ]),
    );
    await path.test({ states, events } as never);
    actor.stop();
  }
  return { paths: paths.length, reached: [...reached].sort(), steps };
}

/** All top-level state names of a machine, sorted. */
export function stateNames(machine: AnyStateMachine): string[] {
  return Object.keys(machine.root.states).sort();
}
