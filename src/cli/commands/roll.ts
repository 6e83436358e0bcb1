/**
 * `systack roll status [instrument]` and `systack roll set <instrument> <state>`: the roll status
 * of each instrument (digest §3) and a change to it, checked by the instrument's roll status
 * machine against the position in the priced contract. Roll_Adjusted rolls the multiple and
 * adjusted price series after confirmation, keeping a CSV copy of the old series first.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { priceLogFrom } from '../../../actors/prices/deps.ts';
import { rollInstrumentPrices } from '../../../actors/prices/roll.ts';
import {
  changeRollState,
  completePriceRoll,
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
import { writeAdjustedPricesCsv, writeMultiplePricesCsv } from '../../store/csv/price-files.ts';
import { withBus } from '../context.ts';
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
  const roll = program.command('roll').description(`Roll status per instrument (${ROLL_STATES.join(', ')})`);

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
              // Keep the old series before anything is written (production doc "Interactively roll adjusted prices").
              const backup = resolve(
                config.system.data_dir,
                'roll-backups',
                `${instrument}-${new Date(clock.now()).toISOString().replace(/[:.]/g, '-')}`,
              );
              await mkdir(backup, { recursive: true, mode: 0o700 });
              const oldMultiple = await store.getMultiplePrices(instrument);
              const oldAdjusted = await store.getAdjustedPrices(instrument);
              if (oldMultiple)
                await writeFile(join(backup, 'multiple_prices.csv'), writeMultiplePricesCsv(oldMultiple), {
                  mode: 0o600,
                });
              if (oldAdjusted)
                await writeFile(join(backup, 'adjusted_prices.csv'), writeAdjustedPricesCsv(oldAdjusted), {
                  mode: 0o600,
                });
              let outcome: { ok: true } | { ok: false; reason: string };
              try {
                const rolled = await rollInstrumentPrices(
                  {
                    store,
                    log: priceLogFrom(log),
                    config: { intradayFrequency: config.system.intraday_frequency },
                  },
                  instrument,
                  {
                    confirm: async (r) =>
                      o.yes ||
                      confirm(
                        `Roll ${instrument}: new priced ${r.newContracts.price}, forward ${r.newContracts.forward}, carry ${r.newContracts.carry}?`,
                      ),
                  },
                );
                outcome = rolled ? { ok: true } : { ok: false, reason: 'declined' };
              } catch (err) {
                outcome = { ok: false, reason: err instanceof Error ? err.message : String(err) };
              }
              record = await completePriceRoll(ctx, instrument, outcome);
              if (!outcome.ok)
                process.stderr.write(
                  `price roll not done (${outcome.reason}): ${instrument} is back in ${record.roll_state}\n`,
                );
              else process.stderr.write(`price series rolled; the old series are in ${backup}\n`);
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
