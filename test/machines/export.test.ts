/**
 * `systack machines export`: the exported definition, read back by xstate's createMachine (what the
 * Stately editor's "Import from code" runs), has the same states and transitions as the machine.
 */
import { execFileSync } from 'node:child_process';
import { createMachine, type MachineConfig } from 'xstate';
import { describe, expect, it } from 'vitest';
import { describeMachine } from '../../machines/diagram.ts';
import { exportMachine, exportMachineCode } from '../../machines/export.ts';
import { machineRegistry } from '../../machines/registry.ts';

const sorted = <T>(xs: T[]): T[] =>
  [...xs].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('machines export', () => {
  for (const entry of machineRegistry) {
    it(`${entry.name}: the exported definition rebuilds the same states and transitions`, () => {
      const json = JSON.parse(JSON.stringify(exportMachine(entry.machine))) as MachineConfig<
        Record<string, unknown>,
        { type: string }
      >;
      const rebuilt = createMachine(json);
      const before = describeMachine(entry.machine);
      const after = describeMachine(rebuilt);
      expect(after.id).toBe(before.id);
      expect(sorted(after.states)).toEqual(sorted(before.states));
      expect(sorted(after.transitions)).toEqual(sorted(before.transitions));
      expect(after.anyState.sort()).toEqual(before.anyState.sort());
    });
  }

  it('writes a createMachine call from the CLI', () => {
    const out = execFileSync('node', ['bin/systack.js', 'machines', 'export', 'broker-order'], {
      encoding: 'utf8',
    });
    expect(out).toBe(exportMachineCode(machineRegistry.find((m) => m.name === 'broker-order')!.machine));
    expect(out).toMatch(
      /^import \{ createMachine \} from 'xstate';\n\nexport const machine = createMachine\(\{/,
    );
  }, 60_000);
});
