/**
 * `systack control trade-limits auto-populate`: interactive_controls "Trade limits > Autopopulate
 * limits". Shows the instrument trade limits over the period the current risk gives
 * (actors/auto-trade-limits.ts) and writes them once confirmed: `--yes`, or a "write these
 * limits?" question on a terminal; off a terminal without `--yes` nothing is written. A bad figure
 * or an unknown instrument is refused before anything is written.
 */
import type { Command } from 'commander';
import { AutoLimitInputError } from '../../domain/strategy-orders/auto-position-limits.ts';
import { checkedFigures, confirmedWrite, riskMultiplierOptions } from '../auto-limits-cli.ts';
import {
  AUTO_TRADE_LIMIT_DEFAULTS,
  type AutoTradeLimitParams,
  checkAutoTradeLimitParams,
} from '../../domain/strategy-orders/auto-trade-limits.ts';
import { withBus } from '../context.ts';
import { CliError, printResult } from '../output.ts';
import { registerControl } from './control.ts';

interface Opts {
  riskTarget: string;
  idm: string;
  instrumentWeight: string;
  tradeMultiplier: string;
  days: string;
  instrument?: string[];
  yes?: boolean;
  natsUrl?: string;
  json?: boolean;
}

const COLUMNS = ['instrument_code', 'annual_risk_per_contract', 'current_limit', 'proposed_limit', 'note'];
function params(o: Opts): AutoTradeLimitParams {
  const p = {
    riskTarget: Number(o.riskTarget),
    idm: Number(o.idm),
    instrumentWeight: Number(o.instrumentWeight),
    tradeMultiplier: Number(o.tradeMultiplier),
    periodDays: Number(o.days),
  };
  return checkedFigures(p, checkAutoTradeLimitParams);
}

export function register(program: Command): void {
  const control = registerControl(program);
  const tl = control.commands.find((c) => c.name() === 'trade-limits');
  if (!tl) throw new Error('control trade-limits is registered by control-trade-limits.ts first');
  const cmd = tl
    .command('auto-populate')
    .description(
      'Set every instrument trade limit from risk: max(4, ceil(capital × risk target × IDM × weight / annual risk per contract × sqrt(days) × trade multiplier)); shows them, writes when confirmed',
    );
  riskMultiplierOptions(cmd)
    .option(
      '--trade-multiplier <fraction>',
      'highest proportion of standard position expected to trade daily',
      String(AUTO_TRADE_LIMIT_DEFAULTS.tradeMultiplier),
    )
    .option(
      '--days <n>',
      'period in days the limit applies over',
      String(AUTO_TRADE_LIMIT_DEFAULTS.periodDays),
    )
    .option('--instrument <code...>', 'only these instruments (default: every instrument with prices)')
    .option('--yes', 'write without asking')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action(async (o: Opts) => {
      const p = params(o);
      await withBus({ natsUrl: o.natsUrl }, async ({ nc, prefix, config }) => {
        // Loaded by this subcommand only (every `systack control ...` registers it).
        const [
          auto,
          { tradeLimitOps },
          { resolveProcessClock },
          { ProcessStore },
          { storedUniverse },
          { TradeLimitsStore },
        ] = await Promise.all([
          import('../../../actors/auto-trade-limits.ts'),
          import('../../../actors/trade-limits-service.ts'),
          import('../../../actors/supervisor/clock-sync.ts'),
          import('../../../actors/supervisor/process-store.ts'),
          import('../../../actors/universe.ts'),
          import('../../store/trade-limits-store.ts'),
        ]);
        const clock = await resolveProcessClock(process.env, await ProcessStore.open(nc, prefix));
        const store = await TradeLimitsStore.open(nc, prefix);
        const proposal = await auto
          .proposeAutoTradeLimits({ nc, prefix, system: config.system, clock }, store, p, o.instrument ?? [])
          .catch((err: unknown) => {
            throw err instanceof AutoLimitInputError ? new CliError(err.message) : err;
          });
        if (!o.json)
          process.stdout.write(
            `total capital ${proposal.total_capital}, risk multiplier ${proposal.risk_multiplier} (risk target × IDM × weight), ` +
              `adj trade multiplier ${proposal.adj_trade_multiplier} (sqrt(${proposal.period_days} days) × trade multiplier)\n`,
          );
        printResult(o.json ? proposal : proposal.rows, { json: o.json, columns: COLUMNS });
        const say = (line: string) => (o.json ? process.stderr : process.stdout).write(`${line}\n`);
        if (!(await confirmedWrite(o.yes, 'trade limits')))
          return say('not written (confirm on a terminal, or pass --yes)');
        const universe = await storedUniverse(nc, prefix, {
          strategies: Object.keys(config.system.strategy_list),
          maxOrderQty: config.system.max_order_qty,
        });
        const n = await auto.writeAutoTradeLimits(tradeLimitOps(store, clock, universe), proposal);
        say(`${n} instrument trade limits over ${proposal.period_days} days written`);
      });
    });
}
