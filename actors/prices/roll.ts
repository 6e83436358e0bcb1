import { carryContractFor, nextHeldContract } from '../../src/domain/prices/contract-dates.ts';
import { type PriceRollResult, rollPriceSeries } from '../../src/domain/prices/price-roll.ts';
import { lowerBound } from '../../src/domain/prices/types.ts';
import type { PriceStore } from '../../src/store/price-store.ts';
import { errorText, type PriceLog, type PriceUpdateConfig } from './deps.ts';
import { mergedContractPrices } from './multiple-adjusted.ts';

export class PriceRollError extends Error {}

/**
 * Roll an instrument's price series in the store (digest §6.5 steps 5–8): compute the new multiple
 * and adjusted series (pure `rollPriceSeries`), optionally let a person confirm, then write multiple
 * then adjusted. On a failure the old adjusted then the old multiple are written back; if that fails
 * too, a critical "ROLLBACK FAILED" is logged. The caller (the roll state machine) guarantees the
 * priced position is 0 (not checked here, as in the reference).
 */
export async function rollInstrumentPrices(
  deps: { store: PriceStore; log: PriceLog; config: Pick<PriceUpdateConfig, 'intradayFrequency'> },
  instrumentCode: string,
  opts: { forwardFill?: boolean; confirm?: (r: PriceRollResult) => Promise<boolean> } = {},
): Promise<PriceRollResult | undefined> {
  const { store, log } = deps;
  const roll = (await store.getInstrumentConfig(instrumentCode))?.roll;
  if (!roll) throw new PriceRollError(`no roll config for ${instrumentCode}`);
  const oldMultiple = await store.getMultiplePrices(instrumentCode);
  if (!oldMultiple || oldMultiple.times.length === 0)
    throw new PriceRollError(`no multiple prices for ${instrumentCode}`);
  const oldAdjusted = await store.getAdjustedPrices(instrumentCode);
  const last = oldMultiple.times.length - 1;
  const lastTime = oldMultiple.times[last] as number;
  const oldForward = oldMultiple.forwardContract[last] as string;
  const newForward = nextHeldContract(oldForward, roll);
  const newCarry = carryContractFor(oldForward, roll);
  // the new contracts' final prices, aligned to the multiple-prices index (NaN if no price at the last stamp)
  const finalAt = async (contract: string): Promise<number> => {
    const p = await mergedContractPrices(store, instrumentCode, contract, deps.config.intradayFrequency);
    const i = lowerBound(p.times, lastTime);
    return i < p.times.length && p.times[i] === lastTime ? (p.final[i] as number) : Number.NaN;
  };
  const result = rollPriceSeries(
    oldMultiple,
    roll,
    { forward: await finalAt(newForward), carry: await finalAt(newCarry) },
    opts,
  );
  if (opts.confirm && !(await opts.confirm(result))) return undefined;
  try {
    await store.putMultiplePrices(instrumentCode, result.multiple);
    await store.putAdjustedPrices(instrumentCode, result.adjusted);
  } catch (err) {
    try {
      if (oldAdjusted) await store.putAdjustedPrices(instrumentCode, oldAdjusted);
      await store.putMultiplePrices(instrumentCode, oldMultiple);
    } catch (rollbackErr) {
      log.critical(`ROLLBACK FAILED for ${instrumentCode}`, {
        instrument_code: instrumentCode,
        error: errorText(err),
        rollback_error: errorText(rollbackErr),
      });
    }
    throw new PriceRollError(`price roll of ${instrumentCode} failed: ${errorText(err)}`);
  }
  log.info(
    {
      instrument_code: instrumentCode,
      old_price_contract: oldMultiple.priceContract[last],
      new_price_contract: oldForward,
    },
    'price series rolled',
  );
  return result;
}
