/**
 * The four modes of the interactive roll tool (digest §3.4; production doc "Interactively roll
 * adjusted prices"), over the roll report built from the stored states:
 * - `systack roll <instrument>` / `roll manual <instrument>`: the report row, the states the table
 *   allows, the person picks one;
 * - `roll cycle [--days N]`: every instrument due (min of days to roll, to price and to carry expiry
 *   ≤ N) in turn, the person picks;
 * - `roll suggest [--days N]`: each due instrument's suggested state (the auto-suggest rule, its
 *   thresholds in config `roll_status_auto_update`), applied after confirmation;
 * - `roll auto [--days N]` / `roll --auto`: the suggested states applied without asking where the
 *   rule decides one and the table allows it (Roll_Adjusted also rolls the price series).
 */
import { createInterface } from 'node:readline/promises';
import type { NatsConnection } from '@nats-io/transport-node';
import { priceLogFrom } from '../../../actors/prices/deps.ts';
import { readRollReport } from '../../../actors/rolls/roll-report.ts';
import {
  applyRollState,
  automaticDecision,
  automaticRoll,
  type RollToolDeps,
  type RollToolOutcome,
} from '../../../actors/rolls/roll-tool.ts';
import { RollChangeRefused } from '../../../actors/rolls/roll-status-host.ts';
import { resolveProcessClock } from '../../../actors/supervisor/clock-sync.ts';
import { ProcessStore } from '../../../actors/supervisor/process-store.ts';
import { dueForRoll, type RollStatusRow } from '../../domain/rolls/roll-report.ts';
import { allowedRollStates, isRollState, type RollState } from '../../domain/rolls/roll-state.ts';
import type { LoadedConfig } from '../../config/load.ts';
import type { Logger } from '../../log/logger.ts';
import { CliError, printResult, UsageError } from '../output.ts';
import { openPriceStore } from '../../store/backend.ts';

export type RollMode = 'manual' | 'cycle' | 'suggest' | 'auto';

async function ask(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new UsageError(`not a terminal: use 'systack roll auto' or 'roll set'`);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

const yes = async (q: string) => /^y(es)?$/i.test(await ask(`${q} [y/N] `));

function show(row: RollStatusRow): void {
  printResult([row], {});
}

/** The person's choice among the allowed states; undefined keeps the state. */
async function pick(row: RollStatusRow): Promise<RollState | undefined> {
  const allowed = allowedRollStates(row.status, row.position_priced);
  const answer = await ask(
    `${row.instrument_code} is ${row.status} (suggested: ${row.suggested}). New state [${allowed.join(', ')}], enter to keep: `,
  );
  if (answer === '') return undefined;
  if (!isRollState(answer) || !allowed.includes(answer))
    throw new CliError(`'${answer}' is not one of the allowed states: ${allowed.join(', ')}`);
  return answer;
}

export async function runRollMode(
  bus: { nc: NatsConnection; prefix: string; config: LoadedConfig; log: Logger },
  mode: RollMode,
  o: { instrument?: string; days: number; yes?: boolean; json?: boolean },
): Promise<void> {
  const { nc, prefix, config, log } = bus;
  const clock = await resolveProcessClock(process.env, await ProcessStore.open(nc, prefix));
  const ctx = { nc, prefix, clock };
  const store = await openPriceStore(nc, prefix);
  const known = await store.listMultiplePrices();
  if (o.instrument !== undefined && !known.includes(o.instrument))
    throw new CliError(
      `unknown instrument '${o.instrument}': one of ${known.join(', ') || '(none imported)'}`,
    );
  const cfg = config.system.roll_status_auto_update;
  const report = await readRollReport(
    nc,
    prefix,
    clock.now(),
    cfg,
    o.instrument ? [o.instrument] : undefined,
  );
  const rows = o.instrument ? report : report.filter((r) => dueForRoll(r, o.days));
  const deps: RollToolDeps = {
    store,
    log: priceLogFrom(log),
    intradayFrequency: config.system.intraday_frequency,
    dataDir: config.system.data_dir,
  };
  const by = 'interactive';
  const confirmPriceRoll = o.yes
    ? undefined
    : async (r: { newContracts: { price: string; forward: string; carry: string } }) =>
        yes(`Roll the price series: new priced ${r.newContracts.price}, forward ${r.newContracts.forward}?`);
  const outcomes: Array<RollToolOutcome | { instrument_code: string; from: RollState; note: string }> = [];
  for (const row of rows) {
    if (mode === 'auto') {
      outcomes.push(await automaticRoll(ctx, deps, row));
      continue;
    }
    let to: RollState | undefined;
    show(row);
    if (mode === 'suggest' && row.suggested !== 'Ask') {
      const d = automaticDecision(row);
      if ('to' in d && (await yes(`Set ${row.instrument_code} to ${d.to}?`))) to = d.to;
      else if ('skip' in d) process.stdout.write(`${row.instrument_code}: ${d.skip}\n`);
    } else to = await pick(row);
    if (to === undefined) {
      outcomes.push({ instrument_code: row.instrument_code, from: row.status, note: 'kept' });
      continue;
    }
    try {
      outcomes.push(await applyRollState(ctx, deps, row, to, { by, confirmPriceRoll }));
    } catch (err) {
      if (!(err instanceof RollChangeRefused)) throw err;
      outcomes.push({ instrument_code: row.instrument_code, from: row.status, note: err.message });
    }
  }
  printResult(outcomes, { json: o.json });
}
