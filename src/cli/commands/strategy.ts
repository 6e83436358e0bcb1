/**
 * `systack strategy positions|diagnostics`: what the last system run stored (digest §7 runner;
 * the reference's strategy report and interactive diagnostics "optimal positions").
 * `systack strategy actors`: each strategy actor's stored state (docs/strategies.md).
 */
import type { Command } from 'commander';
import { openStrategyActorRecords, readStrategyActor } from '../../../actors/strategy-actor-records.ts';
import { withBus } from '../context.ts';
import { CliError, parsePositiveInt, printResult } from '../output.ts';
import { OPTIMAL_POSITION_COLUMNS, pickStrategies } from '../strategies.ts';
import { openStrategyStore } from '../../store/backend.ts';

interface Opts {
  strategy?: string;
  instrument?: string;
  rows?: string;
  natsUrl?: string;
  json?: boolean;
}

export function register(program: Command): void {
  const strategy = program
    .command('strategy')
    .description('Stored optimal positions, system diagnostics and strategy actor states');

  strategy
    .command('actors')
    .description(
      "Each strategy actor's state as stored in KV (run_systems / run_strategy_order_generator step it)",
    )
    .option('--strategy <name>', 'only this strategy')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action((o: Opts) =>
      withBus({ natsUrl: o.natsUrl }, async ({ nc, config, prefix }) => {
        const names = pickStrategies(config, o.strategy);
        const kv = await openStrategyActorRecords(nc, prefix);
        const rows = [];
        for (const s of names) {
          const r = (await readStrategyActor(kv, s))?.record;
          rows.push({
            strategy_name: s,
            state: r?.state ?? 'idle (never ran)',
            version: r?.version ?? 0,
            system_runs: r?.context.executions ?? 0,
            positions_stored: r?.context.positions_stored ?? null,
            order_runs: r?.context.order_runs ?? 0,
            orders_placed: r?.context.orders_placed ?? null,
            last_error: r?.context.last_error ?? null,
            running_in: r?.owner ? `${r.owner.process} (pid ${r.owner.pid})` : null,
          });
        }
        if (o.json) return printResult(rows, { json: true });
        printResult(rows);
      }),
    );

  strategy
    .command('positions')
    .description('Optimal positions (buffer edges, reference price and contract) of each configured strategy')
    .option('--strategy <name>', 'only this strategy')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action((o: Opts) =>
      withBus({ natsUrl: o.natsUrl }, async ({ nc, config, prefix }) => {
        const names = pickStrategies(config, o.strategy);
        const store = await openStrategyStore(nc, prefix);
        const rows = [];
        for (const s of names) rows.push(...(await store.getOptimalPositions(s)));
        printResult(rows, {
          json: o.json,
          columns: [...OPTIMAL_POSITION_COLUMNS, 'reference_datetime'],
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
