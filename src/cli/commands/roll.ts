/**
 * `systack roll status [instrument]` and `systack roll set <instrument> <state>`: the roll status
 * of each instrument (digest §3) and a change to it, checked by the instrument's roll status
 * machine against the position in the priced contract. Roll_Adjusted rolls the multiple and
 * adjusted price series after confirmation, keeping a CSV copy of the old series first.
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { priceLogFrom } from '../../../actors/prices/deps.ts';
import { runRequestedPriceRoll } from '../../../actors/rolls/price-roll.ts';
import {
  changeRollState,
  pricedPosition,
  readRollStatuses,
  RollChangeRefused,
} from '../../../actors/rolls/roll-status-host.ts';
import { resolveProcessClock } from '../../../actors/supervisor/clock-sync.ts';
import { ProcessStore } from '../../../actors/supervisor/process-store.ts';
import {
  allowedRollStates,
  isRollState,
  ROLL_STATE_MEANING,
  ROLL_STATES,
  type RollState,
} from '../../domain/rolls/roll-state.ts';
import { readRollReport } from '../../../actors/rolls/roll-report.ts';
import { withBus } from '../context.ts';
import { type RollMode, runRollMode } from './roll-modes.ts';

/** Auto-cycle's default horizon (digest §3.4: N asked, default 10 days). */
const DEFAULT_DAYS = 10;
import { CliError, printResult, UsageError } from '../output.ts';
import { openPriceStore } from '../../store/backend.ts';

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) throw new UsageError('not a terminal: pass --yes to roll the price series');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export function register(program: Command): void {
  const roll = program
    .command('roll')
    .description(
      `Roll status per instrument (${ROLL_STATES.join(', ')}); 'systack roll <instrument>' picks a state by hand`,
    )
    .argument('[instrument]', 'show its roll report row and offer the states allowed next')
    .option('--auto', 'fully automatic: apply the suggested states of the instruments due (as `roll auto`)')
    .action((instrument: string | undefined, o: { auto?: boolean }) => {
      if (!o.auto && instrument === undefined) {
        roll.help();
        return;
      }
      return withBus({ processName: 'interactive_update_roll_status' }, (bus) =>
        runRollMode(bus, o.auto ? 'auto' : 'manual', { instrument, days: DEFAULT_DAYS }),
      );
    });

  roll
    .command('report [instrument]')
    .description(
      'Roll report: status, days to roll / price expiry / carry expiry, contracts (p/f/c), positions, relative volumes, suggested state',
    )
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action((instrument: string | undefined, o: { natsUrl?: string; json?: boolean }) =>
      withBus({ natsUrl: o.natsUrl, shipLogs: false }, async ({ nc, prefix, config }) => {
        const known = await (await openPriceStore(nc, prefix)).listMultiplePrices();
        if (instrument !== undefined && !known.includes(instrument))
          throw new CliError(
            `unknown instrument '${instrument}': one of ${known.join(', ') || '(none imported)'}`,
          );
        const clock = await resolveProcessClock(process.env, await ProcessStore.open(nc, prefix));
        const rows = await readRollReport(
          nc,
          prefix,
          clock.now(),
          config.system.roll_status_auto_update,
          instrument ? [instrument] : undefined,
        );
        printResult(rows, { json: o.json });
      }),
    );

  const modes: Array<[RollMode, string, string]> = [
    ['manual', 'manual <instrument>', 'Mode 1: the report row and the allowed states; you pick one'],
    ['cycle', 'cycle', 'Mode 2: each instrument due for a roll in turn; you pick its state'],
    ['suggest', 'suggest', "Mode 3: each due instrument's suggested state, applied after you confirm"],
    ['auto', 'auto', 'Mode 4: the suggested states applied without asking where the rule decides'],
  ];
  for (const [mode, usage, description] of modes) {
    roll
      .command(usage)
      .description(description)
      .option(
        '--days <n>',
        'due: min(days to roll, to price expiry, to carry expiry) ≤ n',
        String(DEFAULT_DAYS),
      )
      .option('--yes', 'roll the price series on Roll_Adjusted without asking')
      .option('--nats-url <url>', 'NATS server (default: config or the running system)')
      .option('--json', 'print JSON')
      .action((...args: unknown[]) => {
        const instrument = mode === 'manual' ? (args[0] as string) : undefined;
        const o = args[mode === 'manual' ? 1 : 0] as {
          days: string;
          yes?: boolean;
          natsUrl?: string;
          json?: boolean;
        };
        const days = Number(o.days);
        if (!Number.isFinite(days) || days < 0)
          throw new UsageError(`--days must be a number ≥ 0, not '${o.days}'`);
        return withBus({ natsUrl: o.natsUrl, processName: 'interactive_update_roll_status' }, (bus) =>
          runRollMode(bus, mode, { instrument, days, yes: o.yes, json: o.json }),
        );
      });
  }

  roll
    .command('status [instrument]')
    .description('Roll state, priced contract position and the states allowed next')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action((instrument: string | undefined, o: { natsUrl?: string; json?: boolean }) =>
      withBus({ natsUrl: o.natsUrl }, async ({ nc, prefix }) => {
        const prices = await openPriceStore(nc, prefix);
        const known = await prices.listMultiplePrices();
        if (instrument !== undefined && !known.includes(instrument))
          throw new CliError(
            `unknown instrument '${instrument}': one of ${known.join(', ') || '(none imported)'}`,
          );
        const stored = new Map((await readRollStatuses(nc, prefix)).map((r) => [r.instrument_code, r]));
        const rows = [];
        for (const code of instrument ? [instrument] : known) {
          const r = stored.get(code);
          const state: RollState = r?.roll_state ?? 'No_Roll';
          const position = await pricedPosition(nc, prefix, code);
          rows.push({
            instrument_code: code,
            roll_state: state,
            meaning: ROLL_STATE_MEANING[state],
            priced_position: position,
            allowed_next: allowedRollStates(state, position)
              .filter((s) => s !== state)
              .join(' '),
            changed_at: r?.changed_at ? new Date(r.changed_at).toISOString() : '',
            changed_by: r?.changed_by ?? '',
          });
        }
        printResult(rows, { json: o.json });
      }),
    );

  roll
    .command('set <instrument> <state>')
    .description(`Change an instrument's roll state (${ROLL_STATES.join(' | ')})`)
    .option('--yes', 'roll the price series on Roll_Adjusted without asking')
    .option('--by <name>', 'who asks for the change (journaled)', 'manual')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action(
      (
        instrument: string,
        state: string,
        o: { yes?: boolean; by: string; natsUrl?: string; json?: boolean },
      ) => {
        if (!isRollState(state))
          throw new UsageError(`unknown roll state '${state}': one of ${ROLL_STATES.join(', ')}`);
        return withBus(
          { natsUrl: o.natsUrl, processName: 'interactive_update_roll_status' },
          async ({ nc, config, prefix, log }) => {
            const clock = await resolveProcessClock(process.env, await ProcessStore.open(nc, prefix));
            const ctx = { nc, prefix, clock };
            const store = await openPriceStore(nc, prefix);
            const known = await store.listMultiplePrices();
            if (!known.includes(instrument))
              throw new CliError(
                `unknown instrument '${instrument}': one of ${known.join(', ') || '(none imported)'}`,
              );
            let changed;
            try {
              changed = await changeRollState(ctx, instrument, state, o.by);
            } catch (err) {
              if (err instanceof RollChangeRefused) throw new CliError(err.message);
              throw err;
            }
            let record = changed.record;
            if (changed.priceRollRequested) {
              const r = await runRequestedPriceRoll(
                ctx,
                {
                  store,
                  log: priceLogFrom(log),
                  intradayFrequency: config.system.intraday_frequency,
                  dataDir: config.system.data_dir,
                },
                instrument,
                async (p) =>
                  o.yes ||
                  confirm(
                    `Roll ${instrument}: new priced ${p.newContracts.price}, forward ${p.newContracts.forward}, carry ${p.newContracts.carry}?`,
                  ),
              );
              record = r.record;
              if (!r.rolled)
                process.stderr.write(
                  `price roll not done (${r.reason}): ${instrument} is back in ${record.roll_state}\n`,
                );
              else process.stderr.write(`price series rolled; the old series are in ${r.backup}\n`);
            }
            printResult(
              {
                instrument_code: record.instrument_code,
                roll_state: record.roll_state,
                changed_by: record.changed_by ?? '',
              },
              { json: o.json },
            );
          },
        );
      },
    );
}
