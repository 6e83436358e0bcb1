/**
 * `systack update system-backtests` (run_systems: the classic system per strategy, optimal
 * positions stored) and `systack update strategy-orders` (run_strategy_order_generator:
 * classic buffered orders put on the instrument stack). Digest §7, §2 B.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { StrategyHost } from '../../../actors/strategy-host.ts';
import { generateOrdersForStrategy } from '../../../actors/strategy-order-job.ts';
import {
  DurableStrategyStateSource,
  QueuedInstrumentOrderSink,
} from '../../../actors/strategy-order-ports.ts';
import { openStrategyRuntime } from '../../../actors/strategy-runtime.ts';
import { runSystemForStrategy } from '../../../actors/system-runner.ts';
import { wallClock } from '../../clock.ts';
import { PriceStoreSystemDataSource } from '../../store/price-store-system-data.ts';
import { CsvSystemDataSource, type SystemDataSource } from '../../store/system-data.ts';
import { withBus } from '../context.ts';
import { CliError, printResult } from '../output.ts';
import { OPTIMAL_POSITION_COLUMNS, pickStrategies } from '../strategies.ts';
import { openPriceStore } from '../../store/backend.ts';

interface Opts {
  strategy?: string;
  natsUrl?: string;
  json?: boolean;
  csvDir?: string;
}

export function register(program: Command): void {
  const update = program.command('update').description('Run the nightly strategy jobs now');

  update
    .command('system-backtests')
    .description("Run each strategy's classic system and store its optimal positions (run_systems)")
    .option('--strategy <name>', 'only this strategy')
    .option(
      '--csv-dir <dir>',
      'read prices from this pysystemtrade CSV folder instead of the price store (e.g. sample-data/pysystemtrade)',
    )
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action((o: Opts) =>
      withBus({ natsUrl: o.natsUrl, processName: 'run_systems' }, async ({ nc, config, prefix, log }) => {
        const rt = await openStrategyRuntime(nc, prefix, config.system, wallClock, { log });
        // default: the prices run_daily_prices_updates maintains in JetStream (digest §6.3 → §7.1)
        const data: SystemDataSource = o.csvDir
          ? new CsvSystemDataSource(resolve(o.csvDir))
          : new PriceStoreSystemDataSource(await openPriceStore(nc, prefix));
        const rows: Array<Record<string, unknown>> = [];
        let failed = 0;
        for (const strategy of pickStrategies(config, o.strategy)) {
          let positions: unknown[] = [];
          const host = new StrategyHost(
            { strategy_name: strategy, max_executions: 1, frequency_minutes: 0 },
            async (s) => {
              const r = await runSystemForStrategy(s, rt.systemConfigs[s]!, {
                data,
                capital: rt.capitalStore,
                strategies: rt.strategies,
                clock: wallClock,
                log,
              });
              positions = r.positions;
              return { positions: r.positions.length };
            },
            wallClock,
          );
          const state = await host.tick();
          if (state === 'failed') failed++;
          rows.push({ strategy_name: strategy, state, error: host.context.last_error, positions });
        }
        if (o.json) printResult(rows, { json: true });
        else
          printResult(
            rows.flatMap((r) =>
              (r.positions as Array<Record<string, unknown>>).length > 0
                ? (r.positions as Array<Record<string, unknown>>)
                : [{ strategy_name: r.strategy_name, instrument_code: `(${r.state}) ${r.error ?? ''}` }],
            ),
            {
              columns: OPTIMAL_POSITION_COLUMNS,
            },
          );
        if (failed > 0) throw new CliError(`${failed} strategy run(s) failed`);
      }),
    );

  update
    .command('strategy-orders')
    .description(
      'Generate classic buffered instrument orders and put them on the stack (run_strategy_order_generator)',
    )
    .option('--strategy <name>', 'only this strategy')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action((o: Opts) =>
      withBus(
        { natsUrl: o.natsUrl, processName: 'run_strategy_order_generator' },
        async ({ nc, config, prefix, log }) => {
          const rt = await openStrategyRuntime(nc, prefix, config.system, wallClock, { log });
          const results = [];
          for (const strategy of pickStrategies(config, o.strategy)) {
            results.push(
              await generateOrdersForStrategy(strategy, {
                strategies: rt.strategies,
                controls: rt.controls,
                instrumentLists: config.system,
                state: new DurableStrategyStateSource(nc, prefix),
                sink: new QueuedInstrumentOrderSink(nc, prefix),
                log,
              }),
            );
          }
          if (o.json) printResult(results, { json: true });
          else
            printResult(
              results.flatMap((r) => r.decisions.map((d) => ({ strategy_name: r.strategy_name, ...d }))),
              {
                columns: [
                  'strategy_name',
                  'instrument_code',
                  'current_position',
                  'lower_position',
                  'upper_position',
                  'required_trade',
                  'override',
                  'after_limits',
                  'unfilled_on_stack',
                  'final_trade',
                  'skipped',
                ],
              },
            );
          const failed = results.reduce((n, r) => n + r.failed.length, 0);
          if (failed > 0) throw new CliError(`${failed} order(s) were refused by the stack`);
        },
      ),
    );
}
