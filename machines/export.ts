/**
 * A machine's definition as plain data for the Stately editor ("Import from code" takes a
 * `createMachine({...})` call): states, initial states, final states, descriptions, transitions
 * with their targets (`#<machine>.<state>`), guards and actions by name, delayed transitions,
 * entry and exit actions. Implementations (guard and action code, context) are not part of it:
 * the editor shows them as named references.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

export interface ExportedTransition {
  target?: string[];
  guard?: string;
  actions?: string[];
  reenter?: boolean;
}

export interface ExportedStateNode {
  id?: string;
  description?: string;
  type?: 'final' | 'parallel' | 'history';
  initial?: string;
  entry?: string[];
  exit?: string[];
  on?: Record<string, ExportedTransition[]>;
  always?: ExportedTransition[];
  after?: Record<string, ExportedTransition[]>;
  states?: Record<string, ExportedStateNode>;
}

/** The name of an action or guard reference (string, `{ type }`, or an inline function). */
function nameOf(ref: unknown): string {
  if (typeof ref === 'string') return ref;
  if (typeof ref === 'function' || (typeof ref === 'object' && ref !== null)) {
    const type = (ref as { type?: unknown }).type;
    if (typeof type === 'string') return type;
    const name = (ref as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '') return name;
  }
  return 'inline';
}

interface TransitionLike {
  target?: readonly AnyStateNode[] | undefined;
  guard?: unknown;
  actions: readonly unknown[];
  reenter?: boolean;
}

function transition(t: TransitionLike): ExportedTransition {
  const out: ExportedTransition = {};
  if (t.target && t.target.length > 0) out.target = t.target.map((n) => `#${n.id}`);
  if (t.guard !== undefined && t.guard !== null) out.guard = nameOf(t.guard);
  if (t.actions.length > 0) out.actions = t.actions.map(nameOf);
  if (t.reenter) out.reenter = true;
  return out;
}

function stateNode(node: AnyStateNode, isRoot: boolean): ExportedStateNode {
  const out: ExportedStateNode = {};
  if (isRoot) out.id = node.id;
  if (node.description) out.description = node.description;
  if (node.type === 'final' || node.type === 'parallel' || node.type === 'history') out.type = node.type;
  const initial = node.initial?.target?.[0];
  if (initial) out.initial = initial.key;
  if (node.entry.length > 0) out.entry = node.entry.map(nameOf);
  if (node.exit.length > 0) out.exit = node.exit.map(nameOf);
  const delayed = new Map<string, string>();
  for (const a of node.after) delayed.set(a.eventType, String(a.delay));
  const on: Record<string, ExportedTransition[]> = {};
  const after: Record<string, ExportedTransition[]> = {};
  for (const [event, ts] of node.transitions) {
    if (event === '') continue;
    const delay = delayed.get(event);
    if (delay !== undefined) after[delay] = ts.map(transition);
    else on[event] = ts.map(transition);
  }
  if (Object.keys(on).length > 0) out.on = on;
  if (Object.keys(after).length > 0) out.after = after;
  if (node.always && node.always.length > 0) out.always = node.always.map(transition);
  const children = Object.values(node.states) as AnyStateNode[];
  if (children.length > 0) {
    out.states = {};
    for (const c of children) out.states[c.key] = stateNode(c, false);
  }
  return out;
}

/** The machine's definition as JSON-safe data (a `createMachine` config without implementations). */
export function exportMachine(machine: AnyStateMachine): ExportedStateNode {
  return stateNode(machine.root, true);
}

/** The definition as code the Stately editor imports. */
export function exportMachineCode(machine: AnyStateMachine): string {
  const config = JSON.stringify(exportMachine(machine), null, 2);
  return `import { createMachine } from 'xstate';\n\nexport const machine = createMachine(${config});\n`;
}
