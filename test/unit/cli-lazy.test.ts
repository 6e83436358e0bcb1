import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandTable } from '../../src/cli/commands/index.ts';

/** The lazy command table (top-level help without loading modules) must say what the modules register. */
describe('systack command table', () => {
  it('each entry names a command its module registers, with the same description', async () => {
    for (const entry of commandTable) {
      const program = new Command();
      for (const register of await entry.load()) register(program);
      const cmd = program.commands.find((c) => c.name() === entry.name);
      expect(cmd, entry.name).toBeDefined();
      expect(cmd?.description(), entry.name).toBe(entry.summary);
    }
  });

  it('every top-level command any module registers is in the table', async () => {
    const names = new Set(commandTable.map((e) => e.name));
    for (const entry of commandTable) {
      const program = new Command();
      for (const register of await entry.load()) register(program);
      for (const c of program.commands) expect(names.has(c.name()), c.name()).toBe(true);
    }
  });
});
