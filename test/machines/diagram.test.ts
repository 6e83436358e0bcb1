import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AnyStateNode } from 'xstate';
import { describeMachine, toDot, toMermaid } from '../../machines/diagram.ts';
import { eventTypesOf, machineNames, machineRegistry, summarize } from '../../machines/registry.ts';
import { renderMachineDocs } from '../../scripts/gen-machine-docs.ts';
import { runCli } from '../../src/cli/main.ts';

/** Every state's key, nested states included (a compound state's children are drawn beside it). */
function stateKeys(node: AnyStateNode): string[] {
  return (Object.values(node.states) as AnyStateNode[]).flatMap((s) => [s.key, ...stateKeys(s)]);
}

/** Every (source, target, event) the machine defines, read from the state nodes themselves. */
function definedTransitions(root: AnyStateNode): Set<string> {
  const out = new Set<string>();
  const top = Object.values(root.states) as AnyStateNode[];
  for (const s of top) {
    for (const [event, ts] of s.transitions) {
      for (const t of ts) for (const target of t.target ?? [s]) out.add(`${s.key}->${target.key}:${event}`);
    }
    for (const t of s.always ?? [])
      for (const target of t.target ?? [s]) out.add(`${s.key}->${target.key}:always`);
  }
  for (const [event, ts] of root.transitions) {
    for (const t of ts) {
      if (!t.target) continue;
      for (const s of top) {
        if (s.type === 'final' || s.transitions.has(event)) continue;
        for (const target of t.target) out.add(`${s.key}->${target.key}:${event}`);
      }
    }
  }
  return out;
}

describe('registry and diagrams', () => {
  it('lists every machine by file name', () => {
    expect(machineNames()).toEqual([
      'instrument-order',
      'contract-order',
      'broker-order',
      'algo-market',
      'algo-best-execution',
      'instrument-lock',
      'roll-status',
      'strategy',
      'ib-connection',
      'process',
    ]);
    expect(summarize(machineRegistry[2]!)).toMatchObject({
      name: 'broker-order',
      initial: 'created',
      states: [
        'created',
        'submitted',
        'acknowledged',
        'partiallyFilled',
        'filled',
        'cancelPending',
        'cancelled',
        'rejected',
      ],
    });
  });

  it.each(machineRegistry.map((e) => [e.name, e] as const))(
    '%s: the diagram has every state and transition',
    (_, e) => {
      const d = describeMachine(e.machine);
      expect(d.states.map((s) => s.key).sort()).toEqual(stateKeys(e.machine.root).sort());
      const key = (t: { source: string; target: string; event: string }) =>
        `${t.source.split('.').at(-1)}->${t.target.split('.').at(-1)}:${t.event}`;
      const drawn = new Set(d.transitions.map(key));
      expect([...definedTransitions(e.machine.root)].filter((t) => !drawn.has(t))).toEqual([]);
      // Mermaid names a state by its path below the root (`running_choosing`).
      const mid = (id: string) => id.slice(d.id.length + 1).replace(/[^A-Za-z0-9_]/g, '_');
      const mermaid = toMermaid(e.machine);
      const dot = toDot(e.machine);
      for (const s of d.states) {
        expect(mermaid).toContain(`state "${s.key}"`);
        expect(dot).toContain(`[label="${s.key}"`);
      }
      for (const t of d.transitions) {
        const lbl = t.guard ? `${t.event} [${t.guard}]` : t.event;
        expect(mermaid).toContain(`${mid(t.source)} --> ${mid(t.target)} : ${lbl}`);
        expect(dot).toContain(`"${t.source}" -> "${t.target}" [label="${lbl}"]`);
      }
      expect(eventTypesOf(e.machine).length).toBeGreaterThan(2);
    },
  );

  it('docs/machines.md holds one Mermaid diagram per machine', () => {
    const md = renderMachineDocs();
    expect(md.match(/```mermaid/g)).toHaveLength(machineRegistry.length);
    const onDisk = readFileSync(new URL('../../docs/machines.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(md); // regenerate with: npx tsx scripts/gen-machine-docs.ts
  });
});

describe('systack machines CLI', () => {
  let out = '';
  let err = '';
  beforeEach(() => {
    out = '';
    err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out += String(s);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      err += String(s);
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());

  it('list --json gives every machine with its states and event types', async () => {
    expect(await runCli(['machines', 'list', '--json'])).toBe(0);
    const list = JSON.parse(out) as Array<{ name: string; states: string[]; events: string[] }>;
    expect(list.map((m) => m.name)).toEqual(machineNames());
    expect(list.find((m) => m.name === 'instrument-lock')).toMatchObject({
      states: ['unlocked', 'lockedByBreak', 'lockedManually'],
      events: ['LOCK', 'POSITIONS_COMPARED', 'UNLOCK'],
    });
  });

  it('diagram prints Mermaid or DOT; an unknown name is a usage error listing valid names', async () => {
    expect(await runCli(['machines', 'diagram', 'instrument-lock'])).toBe(0);
    expect(out).toBe(toMermaid(machineRegistry[5]!.machine));
    out = '';
    expect(await runCli(['machines', 'diagram', 'broker-order', '--format', 'dot'])).toBe(0);
    expect(out.startsWith('digraph "brokerOrder" {')).toBe(true);
    expect(await runCli(['machines', 'diagram', 'nope'])).toBe(2);
    expect(err).toContain("unknown machine 'nope'; valid names: instrument-order, contract-order");
    expect(await runCli(['machines', 'diagram', 'broker-order', '--format', 'svg'])).toBe(2);
  });
});
