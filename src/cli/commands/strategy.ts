/**
 * `systack strategy positions|diagnostics`: what the last system run stored (digest §7 runner;
 * the reference's strategy report and interactive diagnostics "optimal positions").
 */
import type { Command } from 'commander';
import { withBus } from '../context.ts';
import { CliError, parsePositiveInt, printResult, UsageError } from '../output.ts';
import { openStrategyStore } from '../../store/backend.ts';

interface Opts {
  strategy?: string;
  instrument?: string;
  rows?: string;
  natsUrl?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const strategy = program.command('strategy').description('Stored optimal positions and system diagnostics');

  strategy
    .command('positions')
    .description('Optimal positions (buffer edges, reference price and contract) of each configured strategy')
    .option('--strategy <name>', 'only this strategy')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action((o: Opts) =>
      withBus({ natsUrl: o.natsUrl }, async ({ nc, config, prefix }) => {
        const names = Object.keys(config.system.strategy_list);
        if (o.strategy && !names.includes(o.strategy))
          throw new UsageError(`unknown strategy '${o.strategy}'`);
        const store = await openStrategyStore(nc, prefix);
        const rows = [];
        for (const s of o.strategy ? [o.strategy] : names) rows.push(...(await store.getOptimalPositions(s)));
        printResult(rows, {
          json: o.json,
          columns: [
            'strategy_name',
            'instrument_code',
            'lower_position',
            'upper_position',
            'reference_price',
            'reference_contract',
            'reference_datetime',
          ],
        });
      }),
    );

  strategy
    .command('diagnostics')
    .description("The last run's intermediate series for one instrument (vol, forecasts, weights, positions)")
    .requiredOption('--strategy <name>', 'strategy')
    .requiredOption('--instrument <code>', 'instrument')
    .option('--rows <n>', 'last rows to show', '5')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action((o: Opts) => {
      const rows = parsePositiveInt('--rows', o.rows ?? '5');
      return withBus({ natsUrl: o.natsUrl }, async ({ nc, prefix }) => {
        const d = await (await openStrategyStore(nc, prefix)).getDiagnostics(o.strategy!);
        const series = d?.instruments[o.instrument!];
        if (!d || !series)
          throw new CliError(`no diagnostics for ${o.strategy} / ${o.instrument}: run the system first`);
        const from = Math.max(0, d.dates.length - rows);
        const table = d.dates.slice(from).map((date, k) => ({
          date,
          ...Object.fromEntries(Object.entries(series).map(([name, v]) => [name, v[from + k]])),
        }));
        if (o.json) return printResult({ ...d, instruments: undefined, series: table }, { json: true });
        // one row per series, one column per date: the series list is long, the dates few
        printResult(
          Object.entries(series).map(([name, v]) => ({
            series: name,
            ...Object.fromEntries(d.dates.slice(from).map((date, k) => [date, v[from + k]])),
          })),
        );
      });
    });
}
