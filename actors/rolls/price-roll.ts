/**
 * Roll_Adjusted's side effect (digest §3.3.2, §6.5; production doc "Interactively roll adjusted
 * prices"): move the instrument to Roll_Adjusted through its roll status machine (refused unless
 * the priced position is zero), keep a CSV copy of the old multiple and adjusted series, roll both
 * series (`actors/prices/roll.ts`) after confirmation, then settle the state: done → No_Roll;
 * failed or declined → the state before.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { PriceRollResult } from '../../src/domain/prices/price-roll.ts';
import { writeAdjustedPricesCsv, writeMultiplePricesCsv } from '../../src/store/csv/price-files.ts';
import type { PriceFrequency, PriceStore } from '../../src/store/price-store.ts';
import type { PriceLog } from '../prices/deps.ts';
import { rollInstrumentPrices } from '../prices/roll.ts';
import {
  changeRollState,
  completePriceRoll,
  type RollContext,
  type RollStatusRecord,
} from './roll-status-host.ts';

export interface AdjustedRollOutcome {
  record: RollStatusRecord;
  /** Where the old series were written (undefined when the price roll was not asked for). */
  backup?: string;
  rolled: boolean;
  reason?: string;
  newContracts?: PriceRollResult['newContracts'];
}

export async function rollAdjustedPrices(
  ctx: RollContext,
  deps: { store: PriceStore; log: PriceLog; intradayFrequency: PriceFrequency; dataDir: string },
  instrumentCode: string,
  opts: { by?: string; confirm?: (r: PriceRollResult) => Promise<boolean> } = {},
): Promise<AdjustedRollOutcome> {
  const changed = await changeRollState(ctx, instrumentCode, 'Roll_Adjusted', opts.by ?? 'manual');
  if (!changed.priceRollRequested)
    return { record: changed.record, rolled: false, reason: 'no price roll asked' };
  return runRequestedPriceRoll(ctx, deps, instrumentCode, opts.confirm);
}

/** The price roll a change to Roll_Adjusted asked for, with the backup, and the state settled. */
export async function runRequestedPriceRoll(
  ctx: RollContext,
  deps: { store: PriceStore; log: PriceLog; intradayFrequency: PriceFrequency; dataDir: string },
  instrumentCode: string,
  confirm?: (r: PriceRollResult) => Promise<boolean>,
): Promise<AdjustedRollOutcome> {
  const { store } = deps;
  const backup = resolve(
    deps.dataDir,
    'roll-backups',
    `${instrumentCode}-${new Date(ctx.clock.now()).toISOString().replace(/[:.]/g, '-')}`,
  );
  await mkdir(backup, { recursive: true, mode: 0o700 });
  const oldMultiple = await store.getMultiplePrices(instrumentCode);
  const oldAdjusted = await store.getAdjustedPrices(instrumentCode);
  if (oldMultiple)
    await writeFile(join(backup, 'multiple_prices.csv'), writeMultiplePricesCsv(oldMultiple), {
      mode: 0o600,
    });
  if (oldAdjusted)
    await writeFile(join(backup, 'adjusted_prices.csv'), writeAdjustedPricesCsv(oldAdjusted), {
      mode: 0o600,
    });
  let outcome: { ok: true } | { ok: false; reason: string };
  let newContracts: PriceRollResult['newContracts'] | undefined;
  try {
    const rolled = await rollInstrumentPrices(
      { store, log: deps.log, config: { intradayFrequency: deps.intradayFrequency } },
      instrumentCode,
      { confirm },
    );
    newContracts = rolled?.newContracts;
    outcome = rolled ? { ok: true } : { ok: false, reason: 'declined' };
  } catch (err) {
    outcome = { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  const record = await completePriceRoll(ctx, instrumentCode, outcome);
  return outcome.ok
    ? { record, backup, rolled: true, newContracts }
    : { record, backup, rolled: false, reason: outcome.reason };
}
