/**
 * `systack control limits auto-populate`: interactive_controls "Position limits > Autopopulate
 * limits". Shows the instrument limits the current risk gives (actors/position-limits-service.ts)
 * and writes them once confirmed: `--yes`, or a "write these limits?" question on a terminal;
 * off a terminal without `--yes` nothing is written. A bad figure or an unknown instrument is
 * refused before anything is read or written.
 */
import type { Command } from 'commander';
import {
  AutoLimitInputError,
  type AutoLimitParams,
  checkAutoLimitParams,
} from '../../domain/strategy-orders/auto-position-limits.ts';
import { checkedFigures, confirmedWrite, riskMultiplierOptions } from '../auto-limits-cli.ts';
import { withBus } from '../context.ts';
import { CliError, printResult } from '../output.ts';
import { registerControl } from './control.ts';

interface Opts {
  riskTarget: string;
  idm: string;
  instrumentWeight: string;
  instrument?: string[];
  yes?: boolean;
  natsUrl?: string;
  json?: boolean;
}

const COLUMNS = ['instrument_code', 'annual_risk_per_contract', 'current_limit', 'proposed_limit', 'note'];

/** (The system config's forecast cap over the average absolute forecast: 20 / 10.) */
function params(o: Opts, maxForecastRatio: number): AutoLimitParams {
  const p = {
    riskTarget: Number(o.riskTarget),
    idm: Number(o.idm),
    instrumentWeight: Number(o.instrumentWeight),
    maxForecastRatio,
  };
  return checkedFigures(p, checkAutoLimitParams);
}

export function register(program: Command): void {
  const control = registerControl(program);
  const limits = control.commands.find((c) => c.name() === 'limits');
  if (!limits) throw new Error('control limits is registered by control-strategy.ts first');
  const cmd = limits
    .command('auto-populate')
    .description(
      'Set every instrument limit from risk: max(1, ceil(capital × risk target × IDM × weight × 2 / annual risk per contract)); shows them, writes when confirmed',
    );
  riskMultiplierOptions(cmd)
    .option('--instrument <code...>', 'only these instruments (default: every instrument with prices)')
    .option('--yes', 'write without asking')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action(async (o: Opts) => {
      // Loaded by this subcommand only (every `systack control ...` registers it).
      const { CLASSIC_SYSTEM_DEFAULTS: d } = await import('../../domain/system/config.ts');
      const p = params(o, d.forecast_cap / d.average_absolute_forecast);
      await withBus({ natsUrl: o.natsUrl }, async ({ nc, prefix, config }) => {
        const [service, { resolveProcessClock }, { ProcessStore }, { openControlsStore }] = await Promise.all(
          [
            import('../../../actors/position-limits-service.ts'),
            import('../../../actors/supervisor/clock-sync.ts'),
            import('../../../actors/supervisor/process-store.ts'),
            import('../../store/backend.ts'),
          ],
        );
        const { proposeAutoPositionLimits, writeAutoPositionLimits } = service;
        const clock = await resolveProcessClock(process.env, await ProcessStore.open(nc, prefix));
        const controls = await openControlsStore(nc, prefix);
        const proposal = await proposeAutoPositionLimits(
          { nc, prefix, system: config.system, clock },
          controls,
          p,
          o.instrument ?? [],
        ).catch((err: unknown) => {
          throw err instanceof AutoLimitInputError ? new CliError(err.message) : err;
        });
        if (!o.json)
          process.stdout.write(
            `total capital ${proposal.total_capital}, risk multiplier ${proposal.risk_multiplier} (risk target × IDM × weight)\n`,
          );
        printResult(o.json ? proposal : proposal.rows, { json: o.json, columns: COLUMNS });
        const say = (line: string) => (o.json ? process.stderr : process.stdout).write(`${line}\n`);
        if (!(await confirmedWrite(o.yes, 'position limits')))
          return say('not written (confirm on a terminal, or pass --yes)');
        say(`${await writeAutoPositionLimits(controls, proposal.rows)} instrument position limits written`);
      });
    });
}
