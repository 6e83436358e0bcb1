/**
 * `systack strategy backtest`: interactive_diagnostics "Backtest objects" over what the last
 * system run stored (actors/system-runner.ts): choose a strategy, a stage, a method and its
 * arguments (instrument, trading rule); the series' last rows are printed. Without a stage (or
 * method, instrument, rule) it lists the choices there are. Reads the strategy store directly.
 */
import type { Command } from 'commander';
import {
  BACKTEST_STAGE_NAMES,
  BACKTEST_STAGES,
  rulesIn,
  seriesFor,
} from '../../domain/system/backtest-objects.ts';
import { openStrategyStore } from '../../store/backend.ts';
import { withBus } from '../context.ts';
import { CliError, parsePositiveInt, printResult, UsageError } from '../output.ts';

interface Opts {
  strategy: string;
  stage?: string;
  method?: string;
  instrument?: string;
  rule?: string;
  rows: string;
  natsUrl?: string;
  json?: boolean;
}

const list = (xs: string[]) => xs.join(', ') || 'none';

export function register(program: Command): void {
  const strategy =
    program.commands.find((c) => c.name() === 'strategy') ??
    program
      .command('strategy')
      .description('Stored optimal positions, system diagnostics and strategy actor states');
  strategy
    .command('backtest')
    .description(
      `Backtest objects of the last run: stage (${BACKTEST_STAGE_NAMES.join(', ')}) → method → instrument (→ rule); prints the series' last rows, or the choices when one is left out`,
    )
    .requiredOption('--strategy <name>', 'strategy')
    .option('--stage <stage>', `stage: ${BACKTEST_STAGE_NAMES.join(', ')}`)
    .option('--method <method>', "the stage's method (listed without it)")
    .option('--instrument <code>', 'instrument (listed without it)')
    .option('--rule <rule>', 'trading rule, for the methods that take one (listed without it)')
    .option('--rows <n>', 'last rows to print', '10')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action((o: Opts) => {
      const rows = parsePositiveInt('--rows', o.rows);
      const stage = o.stage === undefined ? undefined : BACKTEST_STAGES[o.stage];
      if (o.stage !== undefined && !stage)
        throw new UsageError(`stage must be one of ${BACKTEST_STAGE_NAMES.join(', ')}, got '${o.stage}'`);
      const method = stage && o.method !== undefined ? stage[o.method] : undefined;
      if (stage && o.method !== undefined && !method)
        throw new UsageError(`${o.stage} has no method '${o.method}' (one of: ${list(Object.keys(stage))})`);
      return withBus({ natsUrl: o.natsUrl, shipLogs: false }, async ({ nc, prefix, config }) => {
        const names = Object.keys(config.system.strategy_list);
        if (!names.includes(o.strategy))
          throw new UsageError(`unknown strategy '${o.strategy}' (configured: ${list(names)})`);
        const d = await (await openStrategyStore(nc, prefix)).getDiagnostics(o.strategy);
        if (!d)
          throw new CliError(
            `no backtest stored for ${o.strategy}: run the system first (systack update system-backtests)`,
          );
        const instruments = Object.keys(d.instruments).sort();
        if (!stage || !method) {
          process.stderr.write(
            `backtest of ${o.strategy}, run ${d.created}, capital ${d.capital}, instruments: ${list(instruments)}\n`,
          );
          const stages = stage ? { [o.stage!]: stage } : BACKTEST_STAGES;
          return printResult(
            Object.entries(stages).flatMap(([s, ms]) =>
              Object.entries(ms).map(([m, def]) => ({
                stage: s,
                method: m,
                arguments: def.perRule ? 'instrument, rule' : 'instrument',
              })),
            ),
            { json: o.json },
          );
        }
        if (o.instrument === undefined)
          throw new UsageError(`give --instrument (one of: ${list(instruments)})`);
        const series = d.instruments[o.instrument];
        if (!series)
          throw new CliError(
            `${o.strategy}'s last run has no ${o.instrument} (instruments: ${list(instruments)})`,
          );
        const rules = method.perRule ? rulesIn(Object.keys(series), method) : [];
        if (method.perRule && (o.rule === undefined || !rules.includes(o.rule)))
          throw new UsageError(
            `${o.method} takes a trading rule: --rule one of ${list(rules)}${o.rule === undefined ? '' : `, got '${o.rule}'`}`,
          );
        const wanted = seriesFor(method, o.rule);
        const from = Math.max(0, d.dates.length - rows);
        const table = d.dates.slice(from).map((date, k) => ({
          date,
          ...Object.fromEntries(wanted.map((name) => [name, series[name]?.[from + k] ?? null])),
        }));
        printResult(table, { json: o.json, columns: ['date', ...wanted] });
      });
    });
}
