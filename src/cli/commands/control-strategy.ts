/**
 * `systack control limits|overrides ...`: view and change position limits and overrides
 * (digest §2 B3, B4). Runs against the JetStream store with the same validation as the
 * `<prefix>.control.*` endpoints; a bad input changes nothing.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { Command } from 'commander';
import { parseInput } from '../parse-input.ts';
import { ServiceError } from '../../bus/service.ts';
import type { ControlsStore } from '../../store/controls-store.ts';
import { withBus } from '../context.ts';
import { registerControl } from './control.ts';
import { CliError, printResult, UsageError } from '../output.ts';

interface Opts {
  natsUrl?: string;
  json?: boolean;
  strategy?: string;
  instrument?: string;
}

/** Scope from which of --strategy / --instrument are given. */
function target(o: Opts, allowStrategyOnly: boolean) {
  if (o.strategy && o.instrument)
    return { scope: 'strategy_instrument', strategy_name: o.strategy, instrument_code: o.instrument };
  if (o.instrument) return { scope: 'instrument', instrument_code: o.instrument };
  if (o.strategy && allowStrategyOnly) return { scope: 'strategy', strategy_name: o.strategy };
  throw new UsageError(
    allowStrategyOnly ? 'give --strategy and/or --instrument' : 'give --instrument (and --strategy)',
  );
}

/** The service module (zod schemas): loaded by the subcommand that runs, not at registration. */
const service = () => import('../../../actors/controls-service.ts');
/**
 * The store and the universe are loaded by the subcommand that runs too: registering them costs
 * every `systack control ...` call (`control processes` among them) their imports.
 */
const controlsStore = async (nc: NatsConnection, prefix: string) =>
  (await import('../../store/backend.ts')).openControlsStore(nc, prefix);

/** Run against the store; with `check`, the target must name a known instrument and strategy. */
async function withControls(
  o: Opts,
  fn: (s: ControlsStore) => Promise<unknown>,
  check?: { instrument_code?: string; strategy_name?: string },
) {
  await withBus({ natsUrl: o.natsUrl }, async ({ nc, prefix, config }) => {
    if (check) {
      const { storedNames } = await import('../../../actors/universe.ts');
      const names = await storedNames(nc, prefix, Object.keys(config.system.strategy_list));
      const { assertKnownTarget } = await service();
      await assertKnownTarget(names, check).catch((err: unknown) => {
        throw err instanceof ServiceError ? new CliError(`${err.message} (code ${err.code})`) : err;
      });
    }
    printResult(await fn(await controlsStore(nc, prefix)), { json: o.json ?? true });
  });
}

function flat(table: Record<string, Record<string, unknown>>) {
  return Object.entries(table).flatMap(([scope, m]) =>
    Object.entries(m).map(([key, value]) => ({ scope, key, value })),
  );
}

export function register(program: Command): void {
  // Subcommands of the shared `systack control` group (process control lives in control.ts).
  const control = registerControl(program);
  const opts = (c: Command) =>
    c
      .option('--strategy <name>', 'strategy name')
      .option('--instrument <code>', 'instrument code')
      .option('--nats-url <url>', 'NATS server (default: config or the running system)')
      .option('--json', 'print JSON');

  const limits = control
    .command('limits')
    .description('Position limits per instrument and per strategy × instrument');
  opts(limits.command('list').description('Show every position limit')).action((o: Opts) =>
    withBus({ natsUrl: o.natsUrl }, async ({ nc, prefix }) => {
      const t = await (await controlsStore(nc, prefix)).positionLimits();
      printResult(o.json ? t : flat(t as Record<string, Record<string, unknown>>), { json: o.json });
    }),
  );
  opts(limits.command('set <limit>').description('Set a position limit (an integer >= 0)')).action(
    async (limit: string, o: Opts) => {
      const { controlSchemas } = await service();
      const body = parseInput(controlSchemas.limitSet, { ...target(o, false), limit: Number(limit) });
      return withControls(
        o,
        async (s) => {
          await s.setPositionLimit(body.scope, body, body.limit);
          return s.positionLimits();
        },
        body,
      );
    },
  );
  opts(limits.command('delete').description('Remove a position limit')).action(async (o: Opts) => {
    const { controlSchemas } = await service();
    const body = parseInput(controlSchemas.limitDelete, target(o, false));
    return withControls(o, async (s) => {
      if (!(await s.deletePositionLimit(body.scope, body)))
        throw new CliError(`no ${body.scope} limit to delete`);
      return s.positionLimits();
    });
  });

  const overrides = control
    .command('overrides')
    .description('Overrides per strategy, instrument, or both: 0..1, close, none, reduce_only, no_trading');
  opts(overrides.command('list').description('Show every override')).action((o: Opts) =>
    withBus({ natsUrl: o.natsUrl }, async ({ nc, prefix }) => {
      const t = await (await controlsStore(nc, prefix)).overrides();
      printResult(o.json ? t : flat(t as Record<string, Record<string, unknown>>), { json: o.json });
    }),
  );
  opts(overrides.command('set <override>').description('Set an override')).action(
    async (value: string, o: Opts) => {
      const [{ controlSchemas }, { parseOverride }] = await Promise.all([
        service(),
        import('../../domain/strategy-orders/overrides.ts'),
      ]);
      const asNumber = Number(value);
      const body = parseInput(controlSchemas.overrideSet, {
        ...target(o, true),
        override: value.trim() !== '' && Number.isFinite(asNumber) ? asNumber : value,
      });
      return withControls(
        o,
        async (s) => {
          const { override, ...t } = body;
          await s.setOverride(body.scope, t, parseOverride(override));
          return s.overrides();
        },
        body,
      );
    },
  );
  opts(overrides.command('delete').description('Remove an override')).action(async (o: Opts) => {
    const { controlSchemas } = await service();
    const body = parseInput(controlSchemas.overrideDelete, target(o, true));
    return withControls(o, async (s) => {
      if (!(await s.deleteOverride(body.scope, body)))
        throw new CliError(`no ${body.scope} override to delete`);
      return s.overrides();
    });
  });
}
