/**
 * Every leaf of every interactive menu runs a real `systack` command: its words name a command
 * of the full CLI, its options are that command's options, its arguments fit the command's
 * arguments and choices. (The pseudo-terminal test drives the menus themselves.)
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { type Item, MENUS, menuTree } from '../../src/cli/interactive-menus.ts';
import { buildFullProgram } from '../../src/cli/main.ts';

/** Each leaf with its path of names. */
function leaves(items: Item[], path: string[] = []): Array<{ path: string; item: Item }> {
  return items.flatMap((it) =>
    it.menu ? leaves(it.menu, [...path, it.name]) : [{ path: [...path, it.name].join(' > '), item: it }],
  );
}

/** Why `args` would not parse as a command of `program` (undefined: it would). */
function problem(program: Command, args: string[]): string | undefined {
  let cmd = program;
  let i = 0;
  while (i < args.length) {
    const sub = cmd.commands.find((c) => c.name() === args[i]);
    if (!sub) break;
    cmd = sub;
    i++;
  }
  if (cmd === program) return `no command '${args[0]}'`;
  const positional: string[] = [];
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const opt = cmd.options.find((o) => o.long === a);
    if (!opt) return `'${cmd.name()}' has no option ${a}`;
    if (opt.required || opt.optional) {
      const v = args[++i];
      if (v === undefined) return `${a} needs a value`;
      if (opt.argChoices && !opt.argChoices.includes(v))
        return `${a} ${v} is not one of ${opt.argChoices.join(', ')}`;
    }
  }
  const declared = cmd.registeredArguments;
  const needed = declared.filter((a) => a.required).length;
  if (positional.length < needed)
    return `'${cmd.name()}' needs ${needed} arguments, got ${positional.length}`;
  if (positional.length > declared.length && !declared.some((a) => a.variadic))
    return `'${cmd.name()}' takes ${declared.length} arguments, got ${positional.length}`;
  for (const [k, a] of declared.entries()) {
    const v = positional[k];
    if (v !== undefined && a.argChoices && !a.argChoices.includes(v))
      return `'${v}' is not one of ${a.argChoices.join(', ')}`;
  }
  for (const o of cmd.options)
    if (o.mandatory && !args.includes(o.long!)) return `'${cmd.name()}' needs ${o.long}`;
  return undefined;
}

describe('interactive menu entries', () => {
  it('every leaf of every menu is a command the CLI accepts', async () => {
    const program = await buildFullProgram();
    const bad: string[] = [];
    let count = 0;
    for (const menu of MENUS) {
      // Answers: the first choice offered, '7' for every typed question.
      const tree = menuTree(menu, async (_label, choices) => choices[0]!);
      for (const { path, item } of leaves(tree)) {
        count++;
        const args = await item.run!(async () => '7');
        const why = problem(program, args);
        if (why) bad.push(`${menu}: ${path}: systack ${args.join(' ')}: ${why}`);
      }
    }
    expect(bad).toEqual([]);
    expect(count).toBeGreaterThan(60);
  }, 60_000);

  it("has the reference's entries: overrides, client ids, autopopulate, balance instrument trade, force roll, cash FX, backtest objects, report run, all price kinds, capital modify", async () => {
    const names = (menu: (typeof MENUS)[number]) =>
      leaves(menuTree(menu, async (_l, c) => c[0]!)).map((l) => l.path);
    expect(names('controls')).toEqual(
      expect.arrayContaining([
        'Trade control / override > Update / add override (strategy, instrument, or instrument & strategy)',
        'Trade control / override > Remove override',
        'Broker client IDs > Clear unused client IDs',
        'Position limits > Autopopulate limits',
        'Trade limits > Autopopulate limits',
      ]),
    );
    expect(names('order_stack')).toEqual(
      expect.arrayContaining([
        'Create orders > Balance instrument trade (strategy level only, not executed)',
        'Delete and clean > Delete entire stack (CAREFUL!)',
        'Create orders > Create force roll contract orders',
        'Create orders > Cash FX trade',
      ]),
    );
    expect(names('diagnostics')).toEqual(
      expect.arrayContaining([
        'Reports > Run a report now',
        'View prices > Individual futures contract prices',
        'View prices > Multiple prices',
        'View prices > FX prices',
        'Backtest objects > Browse backtest objects (stage / method / instrument)',
        'Instrument configuration > View instrument configuration data',
        'Instrument configuration > View contract configuration data',
      ]),
    );
    expect(names('update_capital_manual')).toEqual(
      expect.arrayContaining(['Modify any value', 'Delete values since a time (CAREFUL!)']),
    );
  });
});
