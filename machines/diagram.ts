/**
 * Machine diagrams: `toDirectedGraph` (@xstate/graph) turned into a flat description, Mermaid
 * `stateDiagram-v2` and Graphviz DOT (stack-notes §3.4).
 *
 * Every state and every transition is drawn:
 * - transitions with a target, and targetless ones (drawn as self-loops) of each state;
 * - eventless (`always`) transitions, labelled `always [guard]` (toDirectedGraph leaves them out,
 *   so they are read from the state node);
 * - transitions declared on the machine root apply in every state that does not handle the event
 *   itself (XState picks the deepest handler): targeted ones are drawn from each such non-final
 *   state; targetless ones (bookkeeping such as recording a fill in any state) are listed once
 *   as "in any active state".
 */
import { type DirectedGraphNode, toDirectedGraph } from '@xstate/graph';
import type { AnyStateMachine, AnyStateNode } from 'xstate';

export interface DiagramState {
  readonly id: string;
  readonly key: string;
  readonly final: boolean;
  readonly initial: boolean;
}

export interface DiagramTransition {
  readonly source: string;
  readonly target: string;
  /** Event type, or `always` for an eventless transition. */
  readonly event: string;
  readonly guard: string | null;
}

export interface MachineDiagram {
  readonly id: string;
  readonly states: DiagramState[];
  readonly transitions: DiagramTransition[];
  /** Events handled in every active state without changing state (root targetless handlers). */
  readonly anyState: string[];
}

function guardName(guard: unknown): string | null {
  if (guard === undefined || guard === null) return null;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && 'type' in guard && typeof guard.type === 'string') return guard.type;
  return 'guard';
}

function allNodes(node: DirectedGraphNode): DirectedGraphNode[] {
  return [node, ...node.children.flatMap(allNodes)];
}

const label = (t: DiagramTransition) => (t.guard ? `${t.event} [${t.guard}]` : t.event);

/** Flatten a machine's graph into states and transitions. */
export function describeMachine(machine: AnyStateMachine): MachineDiagram {
  const graph = toDirectedGraph(machine);
  const rootId = graph.id;
  const nodes = allNodes(graph).filter((n) => n.id !== rootId);
  const rootInitial = (machine.root.initial?.target ?? []).map((s: AnyStateNode) => s.id);
  const states: DiagramState[] = nodes.map((n) => ({
    id: n.id,
    key: n.stateNode.key,
    final: n.stateNode.type === 'final',
    initial: rootInitial.includes(n.id),
  }));
  const transitions: DiagramTransition[] = [];
  for (const n of nodes) {
    for (const e of n.edges) {
      transitions.push({
        source: e.source.id,
        target: e.target.id,
        event: e.label.text,
        guard: guardName(e.transition.guard),
      });
    }
    for (const t of n.stateNode.always ?? []) {
      for (const target of t.target ?? [n.stateNode]) {
        transitions.push({ source: n.id, target: target.id, event: 'always', guard: guardName(t.guard) });
      }
    }
  }
  const anyState: string[] = [];
  for (const e of graph.edges) {
    const event = e.label.text;
    if (e.target.id === rootId) {
      if (event !== '*') anyState.push(event);
      continue;
    }
    for (const s of nodes) {
      if (s.stateNode.type === 'final' || s.stateNode.parent?.id !== rootId) continue;
      if (s.stateNode.transitions.has(event)) continue;
      transitions.push({ source: s.id, target: e.target.id, event, guard: guardName(e.transition.guard) });
    }
  }
  return { id: rootId, states, transitions, anyState: [...new Set(anyState)] };
}

const mermaidId = (id: string, rootId: string) => id.slice(rootId.length + 1).replace(/[^A-Za-z0-9_]/g, '_');

/** Mermaid `stateDiagram-v2`. */
export function toMermaid(machine: AnyStateMachine): string {
  const d = describeMachine(machine);
  const lines = ['stateDiagram-v2'];
  for (const s of d.states) lines.push(`  state "${s.key}" as ${mermaidId(s.id, d.id)}`);
  for (const s of d.states.filter((x) => x.initial)) lines.push(`  [*] --> ${mermaidId(s.id, d.id)}`);
  for (const t of d.transitions) {
    lines.push(`  ${mermaidId(t.source, d.id)} --> ${mermaidId(t.target, d.id)} : ${label(t)}`);
  }
  for (const s of d.states.filter((x) => x.final)) lines.push(`  ${mermaidId(s.id, d.id)} --> [*]`);
  if (d.anyState.length > 0) {
    const first = d.states.find((s) => s.initial) ?? d.states[0];
    if (first)
      lines.push(
        `  note right of ${mermaidId(first.id, d.id)} : in any active state ${d.anyState.join(', ')}`,
      );
  }
  return `${lines.join('\n')}\n`;
}

const dotQuote = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** Graphviz DOT (render with `dot -Tsvg`). */
export function toDot(machine: AnyStateMachine): string {
  const d = describeMachine(machine);
  const lines = [`digraph ${dotQuote(d.id)} {`, '  rankdir=LR;', '  node [shape=box, style=rounded];'];
  lines.push('  __start [shape=point, label=""];');
  for (const s of d.states) {
    const shape = s.final ? ', peripheries=2' : '';
    lines.push(`  ${dotQuote(s.id)} [label=${dotQuote(s.key)}${shape}];`);
  }
  for (const s of d.states.filter((x) => x.initial)) lines.push(`  __start -> ${dotQuote(s.id)};`);
  for (const t of d.transitions) {
    lines.push(`  ${dotQuote(t.source)} -> ${dotQuote(t.target)} [label=${dotQuote(label(t))}];`);
  }
  if (d.anyState.length > 0) {
    lines.push(`  __any [shape=note, label=${dotQuote(`in any active state: ${d.anyState.join(', ')}`)}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
