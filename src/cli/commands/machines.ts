/**
 * `systack machines`: the machines of machines/registry.ts, listed, drawn and exported.
 *
 *   systack machines list [--json]
 *   systack machines diagram <name> [--format mermaid|dot]
 *   systack machines export <name> [--format code|json] [--out <file>]
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { toDot, toMermaid } from '../../../machines/diagram.ts';
import { exportMachine, exportMachineCode } from '../../../machines/export.ts';
import { findMachine, machineNames, machineRegistry, summarize } from '../../../machines/registry.ts';
import { printResult, UsageError } from '../output.ts';

const FORMATS = ['mermaid', 'dot'] as const;
type Format = (typeof FORMATS)[number];

export function register(program: Command): void {
  const machines = program
    .command('machines')
    .description(
      'The state machines (orders, algos, instrument locks, rolls, strategies, IB connection): list, draw, export',
    );

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

  machines
    .command('export')
    .description(
      'write a machine definition the Stately editor imports (Import from code): a createMachine({...}) call, or --format json for the config alone',
    )
    .argument('<name>', `machine name (${machineNames().join(', ')})`)
    .option('--format <format>', 'code or json', 'code')
    .option('--out <file>', 'write to this file instead of standard output')
    .action((name: string, opts: { format: string; out?: string }) => {
      const entry = findMachine(name);
      if (!entry) {
        throw new UsageError(`unknown machine '${name}'; valid names: ${machineNames().join(', ')}`);
      }
      if (opts.format !== 'code' && opts.format !== 'json') {
        throw new UsageError(`--format must be one of code, json, got '${opts.format}'`);
      }
      const text =
        opts.format === 'json'
          ? `${JSON.stringify(exportMachine(entry.machine), null, 2)}\n`
          : exportMachineCode(entry.machine);
      if (opts.out) writeFileSync(opts.out, text);
      else process.stdout.write(text);
    });
}
