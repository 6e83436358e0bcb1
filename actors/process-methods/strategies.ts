/**
 * run_systems and run_strategy_order_generator methods: each strategy name is a method (digest
 * §4 P12 "strategy fan-out"). `systemMethodFor(name)` runs the classic system for one strategy
 * (digest §7 runner: notional capital = the strategy's capital, optimal positions stored);
 * `strategyOrderMethodFor(name)` generates the classic buffered orders and puts them on the
 * instrument stack (digest §2 B, netting left to the stack, B5). The generic methods take the
 * strategy name from `ctx.method`.
 */
import { PriceStoreSystemDataSource } from '../../src/store/price-store-system-data.ts';
import { CsvSystemDataSource, type SystemDataSource } from '../../src/store/system-data.ts';
import { generateOrdersForStrategy } from '../strategy-order-job.ts';
import { DurableStrategyStateSource, QueuedInstrumentOrderSink } from '../strategy-order-ports.ts';
import { openStrategyRuntime } from '../strategy-runtime.ts';
import { runSystemForStrategy } from '../system-runner.ts';
import type { MethodContext, ProcessMethod } from './types.ts';
import { openPriceStore } from '../../src/store/backend.ts';

/** P12 `object` values systack runs: the classic system and the buffered-positions order generator. */
const SYSTEM_OBJECT = /^(classic|.*runSystemClassic)$/;
const ORDER_OBJECT = /^(classic_buffered_positions|.*orderGeneratorForBufferedPositions)$/;

function checkStrategy(ctx: MethodContext, strategy: string, object: RegExp): void {
  const configured = Object.keys(ctx.system.strategy_list);
  if (!configured.includes(strategy))
    throw new Error(
      `${ctx.process}: '${strategy}' is not a strategy in strategy_list (configured: ${configured.join(', ') || 'none'})`,
    );
  const o = ctx.config.extra.object;
  if (o !== undefined && (typeof o !== 'string' || !object.test(o)))
    throw new Error(
      `${ctx.process}.${strategy}: object '${String(o)}' is not supported (expected ${object.source})`,
    );
}

/** Prices from the price store the daily price updates maintain; `arguments: {data_dir}` reads a CSV folder. */
async function systemData(ctx: MethodContext): Promise<SystemDataSource> {
  const dir = ctx.args.data_dir;
  if (dir !== undefined && typeof dir !== 'string')
    throw new Error(`${ctx.process}: data_dir must be a path`);
  return dir
    ? new CsvSystemDataSource(dir)
    : new PriceStoreSystemDataSource(await openPriceStore(ctx.nc, ctx.prefix));
}

export function systemMethodFor(strategy: string): ProcessMethod {
  return async (ctx) => {
    checkStrategy(ctx, strategy, SYSTEM_OBJECT);
    const rt = await openStrategyRuntime(ctx.nc, ctx.prefix, ctx.system, ctx.clock, { log: ctx.log });
    await runSystemForStrategy(strategy, rt.systemConfigs[strategy]!, {
      data: await systemData(ctx),
      capital: rt.capitalStore,
      strategies: rt.strategies,
      clock: ctx.clock,
      log: ctx.log,
    });
  };
}

export function strategyOrderMethodFor(strategy: string): ProcessMethod {
  return async (ctx) => {
    checkStrategy(ctx, strategy, ORDER_OBJECT);
    const rt = await openStrategyRuntime(ctx.nc, ctx.prefix, ctx.system, ctx.clock, { log: ctx.log });
    const r = await generateOrdersForStrategy(strategy, {
      strategies: rt.strategies,
      controls: rt.controls,
      state: new DurableStrategyStateSource(ctx.nc, ctx.prefix),
      sink: new QueuedInstrumentOrderSink(ctx.nc, ctx.prefix),
      log: ctx.log,
    });
    ctx.log.info(
      {
        component: 'strategy_order_generator',
        strategy_name: strategy,
        placed: r.placed.length,
        ignored: r.ignored.length,
        failed: r.failed.length,
      },
      'strategy orders generated',
    );
    if (r.failed.length > 0)
      throw new Error(
        `${r.failed.length} order(s) of ${strategy} refused by the stack: ${r.failed.map((f) => `${f.instrument_code} ${f.error}`).join('; ')}`,
      );
  };
}

/** run_systems' method for any strategy: the method name is the strategy name. */
export const runSystemMethod: ProcessMethod = (ctx) => systemMethodFor(ctx.method)(ctx);
/** run_strategy_order_generator's method for any strategy: the method name is the strategy name. */
export const runStrategyOrderMethod: ProcessMethod = (ctx) => strategyOrderMethodFor(ctx.method)(ctx);
