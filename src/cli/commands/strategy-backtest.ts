/**
 * `systack strategy backtest`: interactive_diagnostics "Backtest objects" over what the last
 * system run stored (actors/system-runner.ts): choose a strategy, a stage, a method and its
 * arguments (instrument, trading rule), and the output (the reference's choices): print (the
 * series' last rows), plot (a line chart in the terminal), html or csv (a file of every row,
 * its path printed), interactive (a Node.js prompt over the run: src/cli/backtest-repl.ts). Without a stage (or method, instrument, rule) it lists the choices there
 * are. Reads the strategy store directly.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import {
  backtestCsv,
  backtestPlot,
  backtestReport,
  type BacktestSelection,
} from '../../domain/system/backtest-output.ts';
import {
  BACKTEST_STAGE_NAMES,
  BACKTEST_STAGES,
  rulesIn,
  seriesFor,
} from '../../domain/system/backtest-objects.ts';
import { openStrategyStore } from '../../store/backend.ts';
import { withBus } from '../context.ts';
import { CliError, parsePositiveInt, printResult, UsageError } from '../output.ts';
import { pickStrategies } from '../strategies.ts';

interface Opts {
  strategy: string;
  stage?: string;
  method?: string;
  instrument?: string;
  rule?: string;
  rows: string;
  output: Output;
  file?: string;
  width?: string;
  height: string;
  natsUrl?: string;
  json?: boolean;
}

const list = (xs: string[]) => xs.join(', ') || 'none';

const OUTPUTS = ['print', 'plot', 'html', 'csv', 'interactive'] as const;
type Output = (typeof OUTPUTS)[number];

/** Distinct ANSI colours for the plotted series (asciichart's codes: blue, red, green, magenta). */
const COLOURS = ['\x1b[34m', '\x1b[31m', '\x1b[32m', '\x1b[35m'];

/** Write the html or csv file (default: `<echo_directory>/reports/backtest_objects/`); returns its path. */
async function writeOutput(
  sel: BacktestSelection,
  o: Opts,
  echoDirectory: string,
  createdAt: number,
): Promise<string> {
  const ext = o.output === 'html' ? 'html' : 'csv';
  const stem = [o.strategy, o.instrument, o.stage, o.method, ...(o.rule ? [o.rule] : [])].join('_');
  const path = resolve(o.file ?? join(echoDirectory, 'reports', 'backtest_objects', `${stem}.${ext}`));
  await mkdir(dirname(path), { recursive: true });
  if (ext === 'csv') await writeFile(path, backtestCsv(sel));
  else {
    // Chart.js inlined (the reports' HTML renderer), loaded only for this output.
    const { renderReportHtml } = await import('../../../actors/reports/chart-library.ts');
    await writeFile(path, renderReportHtml(backtestReport(sel, createdAt)));
  }
  return path;
}

export function register(program: Command): void {
  const strategy =
    program.commands.find((c) => c.name() === 'strategy') ??
    program
      .command('strategy')
      .description('Stored optimal positions, system diagnostics and strategy actor states');
  strategy
    .command('backtest')
    .description(
      `Backtest objects of the last run: stage (${BACKTEST_STAGE_NAMES.join(', ')}) → method → instrument (→ rule); prints the series' last rows, plots it in the terminal, writes an html / csv file or opens an interactive prompt (--output), or lists the choices when one is left out`,
    )
    .requiredOption('--strategy <name>', 'strategy')
    .option('--stage <stage>', `stage: ${BACKTEST_STAGE_NAMES.join(', ')}`)
    .option('--method <method>', "the stage's method (listed without it)")
    .option('--instrument <code>', 'instrument (listed without it)')
    .option('--rule <rule>', 'trading rule, for the methods that take one (listed without it)')
    .addOption(
      new Option(
        '--output <kind>',
        'print the last rows, plot in the terminal, write an html / csv file, or open an interactive prompt over the run',
      )
        .choices(OUTPUTS)
        .default('print'),
    )
    .option('--rows <n>', 'last rows to print (--output print)', '10')
    .option('--file <path>', 'html / csv file (default: <echo_directory>/reports/backtest_objects/...)')
    .option('--width <n>', 'plot width in columns (default: the terminal width, else 100)')
    .option('--height <n>', 'plot height in rows', '15')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action((o: Opts) => {
      const rows = parsePositiveInt('--rows', o.rows);
      const height = parsePositiveInt('--height', o.height);
      const width =
        o.width === undefined ? (process.stdout.columns ?? 100) : parsePositiveInt('--width', o.width);
      const stage = o.stage === undefined ? undefined : BACKTEST_STAGES[o.stage];
      if (o.stage !== undefined && !stage)
        throw new UsageError(`stage must be one of ${BACKTEST_STAGE_NAMES.join(', ')}, got '${o.stage}'`);
      const method = stage && o.method !== undefined ? stage[o.method] : undefined;
      if (stage && o.method !== undefined && !method)
        throw new UsageError(`${o.stage} has no method '${o.method}' (one of: ${list(Object.keys(stage))})`);
      return withBus({ natsUrl: o.natsUrl, shipLogs: false }, async ({ nc, prefix, config }) => {
        pickStrategies(config, o.strategy);
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
        if (o.output !== 'print') {
          const sel: BacktestSelection = {
            title: `${o.strategy} ${o.instrument} ${o.stage}.${o.method}${o.rule ? `(${o.rule})` : ''} (run ${d.created})`,
            dates: d.dates,
            columns: wanted.map((name) => ({ name, values: series[name] ?? [] })),
          };
          if (o.output === 'interactive') {
            const { openBacktestPrompt } = await import('../backtest-repl.ts');
            return openBacktestPrompt({
              selection: sel,
              instruments: d.instruments,
              dates: d.dates,
              capital: d.capital,
            });
          }
          if (o.output === 'plot') {
            const colors = process.stdout.isTTY && !process.env.NO_COLOR ? COLOURS : undefined;
            return printResult(backtestPlot(sel, { width, height, ...(colors ? { colors } : {}) }));
          }
          const path = await writeOutput(sel, o, config.system.echo_directory, Date.parse(d.created));
          return printResult(
            o.json ? { path, rows: d.dates.length } : `wrote ${d.dates.length} rows to ${path}`,
            {
              json: o.json,
            },
          );
        }
        const from = Math.max(0, d.dates.length - rows);
        const table = d.dates.slice(from).map((date, k) => ({
          date,
          ...Object.fromEntries(wanted.map((name) => [name, series[name]?.[from + k] ?? null])),
        }));
        printResult(table, { json: o.json, columns: ['date', ...wanted] });
      });
    });
}
