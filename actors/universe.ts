/**
 * What a request may name (issue 10 §8): the instruments with a stored instrument config, the
 * strategies of the configuration's `strategy_list`, the position limits, and the largest order
 * quantity allowed where no limit is set (`max_order_qty`). Read fresh on every check, so an
 * instrument imported or a limit set while a service runs counts at once.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { PositionLimitTable } from '../src/domain/strategy-orders/generate.ts';
import { openControlsStore, openPriceStore } from '../src/store/backend.ts';

/** The instruments and strategies a request may name. */
export interface KnownNames {
  instruments(): Promise<ReadonlySet<string>>;
  strategies(): Promise<ReadonlySet<string>>;
}

export interface Universe extends KnownNames {
  positionLimits(): Promise<PositionLimitTable>;
  maxOrderQty: number;
}

/** Instruments with a stored instrument config (KV) and the configured strategies. */
export async function storedNames(
  nc: NatsConnection,
  prefix: string,
  strategyNames: readonly string[],
): Promise<KnownNames> {
  const prices = await openPriceStore(nc, prefix);
  const strategies = new Set(strategyNames);
  return {
    instruments: async () => new Set(await prices.listInstrumentConfigs()),
    strategies: async () => strategies,
  };
}

/** The stored universe: instrument configs (KV), position limits (KV), configured strategies. */
export async function storedUniverse(
  nc: NatsConnection,
  prefix: string,
  o: { strategies: readonly string[]; maxOrderQty: number },
): Promise<Universe> {
  const [names, controls] = await Promise.all([
    storedNames(nc, prefix, o.strategies),
    openControlsStore(nc, prefix),
  ]);
  return {
    ...names,
    positionLimits: () => controls.positionLimits(),
    maxOrderQty: o.maxOrderQty,
  };
}

/** A fixed universe (tests, benchmarks, tools that bring their own instruments). */
export function staticUniverse(o: {
  instruments: readonly string[];
  strategies: readonly string[];
  positionLimits?: PositionLimitTable;
  maxOrderQty?: number;
}): Universe {
  const instruments = new Set(o.instruments);
  const strategies = new Set(o.strategies);
  return {
    instruments: async () => instruments,
    strategies: async () => strategies,
    positionLimits: async () => o.positionLimits ?? {},
    maxOrderQty: o.maxOrderQty ?? 10_000,
  };
}

export class UnknownNameError extends Error {
  override readonly name = 'UnknownNameError';
}

/** Throw UnknownNameError unless every given instrument and strategy is known. */
export async function assertKnown(
  u: KnownNames,
  names: { instrument_code?: string | undefined; strategy_name?: string | undefined },
): Promise<void> {
  if (names.instrument_code !== undefined && !(await u.instruments()).has(names.instrument_code))
    throw new UnknownNameError(`unknown instrument '${names.instrument_code}' (no instrument config)`);
  if (names.strategy_name !== undefined && !(await u.strategies()).has(names.strategy_name))
    throw new UnknownNameError(`unknown strategy '${names.strategy_name}' (not in strategy_list)`);
}
