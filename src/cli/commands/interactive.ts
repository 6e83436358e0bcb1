/**
 * The reference's interactive menus (production doc "Interactive scripts"): interactive_controls,
 * interactive_order_stack, interactive_diagnostics, interactive_update_capital_manual and
 * interactive_manual_check_historical_prices, as menus of @inquirer/prompts. Every leaf runs the
 * same `systack` command a person would type (a child process on the package's CLI entry), so a
 * menu drives exactly the services the CLI drives. "Back" returns up one level, "Exit" leaves.
 */
import { spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import { cliEntryPoint } from '../../config/paths.ts';
import { type Ask, type Choose, type Item, MENUS, type Menu, menuTree } from '../interactive-menus.ts';
import { UsageError } from '../output.ts';

async function runMenu(title: Menu): Promise<void> {
  // Loaded only when a menu opens (no other command pays for it).
  const { select, input } = await import('@inquirer/prompts');
  const choose: Choose = async (label, choices) =>
    select({ message: label, choices: choices.map((c) => ({ name: c, value: c })) });
  const ask: Ask = async (label) => (await input({ message: label, required: true })).trim();
  const stack: Item[][] = [menuTree(title, choose)];
  for (;;) {
    const current = stack[stack.length - 1]!;
    const BACK = -1;
    const EXIT = -2;
    const choice = await select<number>({
      message: stack.length === 1 ? `interactive_${title}` : 'choose',
      choices: [
        ...current.map((it, i) => ({ name: `${i + 1}: ${it.name}`, value: i })),
        ...(stack.length > 1 ? [{ name: '0: Back', value: BACK }] : []),
        { name: stack.length > 1 ? 'x: Exit' : '0: Exit', value: EXIT },
      ],
      pageSize: 20,
    });
    if (choice === EXIT) return;
    if (choice === BACK) {
      stack.pop();
      continue;
    }
    const item = current[choice]!;
    if (item.menu) {
      stack.push(item.menu);
      continue;
    }
    const args = await item.run!(ask);
    process.stdout.write(`$ systack ${args.join(' ')}\n`);
    spawnSync(process.execPath, [cliEntryPoint(), ...args], { stdio: 'inherit' });
  }
}

export function register(program: Command): void {
  program
    .command('interactive')
    .description(`Interactive menus as the reference's interactive_* scripts (${MENUS.join(', ')})`)
    .argument('<menu>', 'which menu')
    .action(async (menu: string) => {
      if (!(MENUS as readonly string[]).includes(menu))
        throw new UsageError(`unknown menu '${menu}' (one of: ${MENUS.join(', ')})`);
      if (!process.stdin.isTTY) throw new UsageError('interactive menus need a terminal');
      try {
        await runMenu(menu as Menu);
      } catch (err) {
        // Ctrl-C or Ctrl-D at a prompt ends the menu, as leaving it does.
        if (err instanceof Error && err.name === 'ExitPromptError') return;
        throw err;
      }
    });
}
