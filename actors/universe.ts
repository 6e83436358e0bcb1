/**
 * What a request may name (issue 10 §8): the instruments with a stored instrument config, the
 * strategies of the configuration's `strategy_list`, the position limits, and the largest order
 * quantity allowed where no limit is set (`max_order_qty`). Read fresh on every check, so an
 * instrument imported or a limit set while a service runs counts at once.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { PositionLimitTable } from '../src/domain/strategy-orders/generate.ts';
import { JetStreamControlsStore } from '../src/store/controls-store.ts';
import { JetStreamPriceStore } from '../src/store/jetstream/price-store.ts';

export interface Universe {
  instruments(): Promise<ReadonlySet<string>>;
  strategies(): Promise<ReadonlySet<string>>;
  positionLimits(): Promise<PositionLimitTable>;
  maxOrderQty: number;
}

/** The stored universe: instrument configs (KV), position limits (KV), configured strategies. */
export async function storedUniverse(
  nc: NatsConnection,
  prefix: string,
  o: { strategies: readonly string[]; maxOrderQty: number },
): Promise<Universe> {
  const [prices, controls] = await Promise.all([
    JetStreamPriceStore.open(nc, prefix),
    JetStreamControlsStore.open(nc, prefix),
  ]);
  const strategies = new Set(o.strategies);
  return {
    instruments: async () => new Set(await prices.listInstrumentConfigs()),
    strategies: async () => strategies,
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
  u: Universe,
  names: { instrument_code?: string | undefined; strategy_name?: string | undefined },
): Promise<void> {
  if (names.instrument_code !== undefined && !(await u.instruments()).has(names.instrument_code))
    throw new UnknownNameError(`unknown instrument '${names.instrument_code}' (no instrument config)`);
  if (names.strategy_name !== undefined && !(await u.strategies()).has(names.strategy_name))
    throw new UnknownNameError(`unknown strategy '${names.strategy_name}' (not in strategy_list)`);
}
