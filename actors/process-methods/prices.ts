/**
 * run_daily_prices_updates' methods (production doc "Core production system components";
 * digest §6): `update_fx_prices`, `update_sampled_contracts`, `update_historical_prices`,
 * `update_multiple_adjusted_prices`, in that order in the control config. Each opens the
 * JetStream price store and the broker and calls `actors/price-updates.ts`. Settings come from
 * the system config (`priceUpdateConfigFrom`); `arguments: {instruments: [...], fx_codes: [...]}`
 * restricts a run. A failure of one instrument is in its result and logged, not thrown.
 */
import type { BrokerPort } from '../../src/broker/port.ts';
import {
  type PriceUpdateDeps,
  priceLogFrom,
  priceUpdateConfigFrom,
  updateFxPrices,
  updateHistoricalPrices,
  updateMultipleAdjustedPrices,
  updateSampledContracts,
} from '../price-updates.ts';
import { withBroker } from './broker-session.ts';
import type { MethodContext, ProcessMethod, ProcessMethodDeps } from './types.ts';
import { openPriceStore } from '../../src/store/backend.ts';

function stringList(ctx: MethodContext, key: string): string[] | undefined {
  const v = ctx.args[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new Error(`${ctx.process}.${ctx.method}: argument ${key} must be a list of names`);
  return v;
}

async function priceDeps(ctx: MethodContext, broker: BrokerPort): Promise<PriceUpdateDeps> {
  const config = priceUpdateConfigFrom(ctx.system);
  const instruments = stringList(ctx, 'instruments');
  const fxCodes = stringList(ctx, 'fx_codes');
  return {
    store: await openPriceStore(ctx.nc, ctx.prefix),
    broker,
    clock: ctx.clock,
    log: priceLogFrom(ctx.log),
    config: {
      ...config,
      ...(instruments ? { instruments } : {}),
      ...(fxCodes ? { fxCodes } : {}),
    },
  };
}

/** Results counted by status (`merged`, `spike`, `error`, ...) for the method's log line. */
function countByStatus(results: ReadonlyArray<object>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) {
    const status = 'status' in r && typeof r.status === 'string' ? r.status : 'done';
    out[status] = (out[status] ?? 0) + 1;
  }
  return out;
}

function priceMethod(
  deps: ProcessMethodDeps,
  run: (d: PriceUpdateDeps) => Promise<ReadonlyArray<object>>,
): ProcessMethod {
  return (ctx) =>
    withBroker(ctx, deps, async (broker) => {
      const results = await run(await priceDeps(ctx, broker));
      ctx.log.info(
        { component: 'prices', process: ctx.process, method: ctx.method, results: countByStatus(results) },
        `${ctx.method} done`,
      );
    });
}

export function priceMethods(deps: ProcessMethodDeps = {}): Record<string, ProcessMethod> {
  return {
    update_fx_prices: priceMethod(deps, updateFxPrices),
    update_sampled_contracts: priceMethod(deps, updateSampledContracts),
    update_historical_prices: priceMethod(deps, updateHistoricalPrices),
    update_multiple_adjusted_prices: priceMethod(deps, updateMultipleAdjustedPrices),
  };
}
