/**
 * `systack machines`: the order-lifecycle machines, listed and drawn.
 *
 *   systack machines list [--json]
 *   systack machines diagram <name> [--format mermaid|dot]
 */
import type { Command } from 'commander';
import { toDot, toMermaid } from '../../../machines/diagram.ts';
import { findMachine, machineNames, machineRegistry, summarize } from '../../../machines/registry.ts';
import { printResult, UsageError } from '../output.ts';

const FORMATS = ['mermaid', 'dot'] as const;
type Format = (typeof FORMATS)[number];

export function register(program: Command): void {
  const machines = program.command('machines').description('order-lifecycle state machines');

  machines
    .command('list')
    .description('list every machine with its states and event types')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const summaries = machineRegistry.map(summarize);
      if (opts.json) {
        printResult(summaries, { json: true });
        return;
      }
      printResult(
        summaries.map((s) => ({
          name: s.name,
          initial: s.initial,
          states: s.states.join(', '),
          events: s.events.join(', '),
        })),
        { columns: ['name', 'initial', 'states', 'events'] },
      );
    });

  machines
    .command('diagram')
    .description('print all states and transitions of a machine as Mermaid or Graphviz DOT')
    .argument('<name>', `machine name (${machineNames().join(', ')})`)
    .option('--format <format>', 'mermaid or dot', 'mermaid')
    .action((name: string, opts: { format: string }) => {
      const entry = findMachine(name);
      if (!entry) {
        throw new UsageError(`unknown machine '${name}'; valid names: ${machineNames().join(', ')}`);
      }
      if (!(FORMATS as readonly string[]).includes(opts.format)) {
        throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${opts.format}'`);
      }
      const format = opts.format as Format;
      process.stdout.write(format === 'dot' ? toDot(entry.machine) : toMermaid(entry.machine));
    });
}
