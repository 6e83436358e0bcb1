/**
 * `systack control trade-limits view|set|reset|delete`: trade limits per instrument and per
 * strategy × instrument over a period in days (interactive_controls "Trade limits"). Reads and
 * writes the KV store directly with the same validation and rules as the
 * `<prefix>.control.trade_limits.*` endpoints, on the system's clock; a bad input changes nothing.
 */
import type { Command } from 'commander';
import { parseInput } from '../parse-input.ts';
import type { tradeLimitOps } from '../../../actors/trade-limits-service.ts';
import { ServiceError } from '../../bus/service.ts';
import { withBus } from '../context.ts';
import { CliError, printResult, UsageError } from '../output.ts';
import { registerControl } from './control.ts';

interface Opts {
  natsUrl?: string;
  json?: boolean;
  strategy?: string;
  instrument?: string;
  days?: string;
}

const COLUMNS = [
  'strategy_name',
  'instrument_code',
  'period_days',
  'trade_limit',
  'trades_since_last_reset',
  'trade_capacity_remaining',
  'time_since_last_reset_ms',
];

function target(o: Opts) {
  if (!o.instrument)
    throw new UsageError('give --instrument (and --strategy for a strategy × instrument limit)');
  const days = o.days === undefined ? undefined : Number(o.days);
  return {
    instrument_code: o.instrument,
    ...(o.strategy ? { strategy_name: o.strategy } : {}),
    ...(days !== undefined ? { period_days: days } : {}),
  };
}

/** The service module (zod schemas): loaded by the subcommand that runs, not at registration. */
const service = () => import('../../../actors/trade-limits-service.ts');

async function withOps(o: Opts, fn: (ops: ReturnType<typeof tradeLimitOps>) => Promise<unknown>) {
  // The stores, the universe and the clock are loaded by the subcommand that runs, not at
  // registration (every `systack control ...` call registers this group).
  const [{ resolveProcessClock }, { ProcessStore }, { storedUniverse }, { TradeLimitsStore }] =
    await Promise.all([
      import('../../../actors/supervisor/clock-sync.ts'),
      import('../../../actors/supervisor/process-store.ts'),
      import('../../../actors/universe.ts'),
      import('../../store/trade-limits-store.ts'),
    ]);
  await withBus({ natsUrl: o.natsUrl }, async ({ nc, prefix, config }) => {
    const [store, processes, universe] = await Promise.all([
      TradeLimitsStore.open(nc, prefix),
      ProcessStore.open(nc, prefix),
      storedUniverse(nc, prefix, {
        strategies: Object.keys(config.system.strategy_list),
        maxOrderQty: config.system.max_order_qty,
      }),
    ]);
    const clock = await resolveProcessClock(process.env, processes);
    try {
      const { tradeLimitOps: ops } = await service();
      printResult(await fn(ops(store, clock, universe)), { json: o.json, columns: COLUMNS });
    } catch (err) {
      if (err instanceof ServiceError) throw new CliError(`${err.message} (code ${err.code})`);
      throw err;
    }
  });
}

export function register(program: Command): void {
  const control = registerControl(program);
  const opts = (c: Command) =>
    c
      .option('--strategy <name>', 'strategy name (omit for the instrument-only limit)')
      .option('--instrument <code>', 'instrument code')
      .option('--days <n>', 'period in days')
      .option('--nats-url <url>', 'NATS server (default: config or the running system)')
      .option('--json', 'print JSON');
  const tl = control
    .command('trade-limits')
    .description('Trade limits per instrument and per strategy × instrument over a period in days');
  opts(tl.command('view').description('Every trade limit: limit, trades since last reset, capacity')).action(
    (o: Opts) => withOps(o, (ops) => ops.list()),
  );
  opts(
    tl
      .command('set <limit>')
      .description('Set a trade limit (--instrument, --days; --strategy for strategy × instrument)'),
  ).action(async (limit: string, o: Opts) => {
    const { tradeLimitSchemas } = await service();
    const body = parseInput(tradeLimitSchemas.set, { ...target(o), trade_limit: Number(limit) });
    return withOps(o, (ops) => ops.set(body));
  });
  opts(
    tl.command('reset').description("Reset a target's count to zero (one period with --days, else all)"),
  ).action(async (o: Opts) => {
    const { tradeLimitSchemas } = await service();
    const body = parseInput(tradeLimitSchemas.reset, target(o));
    return withOps(o, (ops) => ops.reset(body));
  });
  opts(tl.command('delete').description('Remove a trade limit (--instrument, --days, [--strategy])')).action(
    async (o: Opts) => {
      const { tradeLimitSchemas } = await service();
      const body = parseInput(tradeLimitSchemas.delete, target(o));
      return withOps(o, (ops) => ops.delete(body));
    },
  );
}
