/**
 * run_systems and run_strategy_order_generator methods: each strategy name is a method (digest
 * §4 P12 "strategy fan-out"), and each strategy is an actor running `machines/strategy.ts`
 * (`actors/strategy-actors.ts`), hosted by the process for its life (one host per NATS connection
 * and prefix, serving `<prefix>.strategy.actor.<strategy>`). `systemMethodFor(name)` steps the
 * strategy's actor through a system run (digest §7 runner: notional capital = the strategy's
 * capital, optimal positions stored); `strategyOrderMethodFor(name)` through an order generation:
 * the classic buffered orders are sent to the stack as messages on the order-request work queue
 * (digest §2 B, netting left to the stack, B5), each with a request id made of the actor's run
 * number and the instrument, so a generation resumed after a crash makes no second order. The
 * process machine decides when each method runs (status, run window, frequency, max_executions);
 * the generic methods take the strategy name from `ctx.method`.
 */
import { PriceStoreSystemDataSource } from '../../src/store/price-store-system-data.ts';
import { CsvSystemDataSource, type SystemDataSource } from '../../src/store/system-data.ts';
import { generateOrdersForStrategy } from '../strategy-order-job.ts';
import type { NatsConnection } from '@nats-io/transport-node';
import { serveStrategyActors } from '../strategy-actor-address.ts';
import { StrategyActors } from '../strategy-actors.ts';
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

const hosts = new WeakMap<NatsConnection, Map<string, Promise<StrategyActors>>>();

/**
 * The strategy actors of this process (one host per connection and prefix): opened on the first
 * method run, announcing each stored actor's state and serving the actors' addresses until the
 * connection closes.
 */
export function strategyActorsOf(ctx: MethodContext): Promise<StrategyActors> {
  let byPrefix = hosts.get(ctx.nc);
  if (!byPrefix) hosts.set(ctx.nc, (byPrefix = new Map()));
  let h = byPrefix.get(ctx.prefix);
  if (!h) {
    const map = byPrefix;
    h = (async () => {
      const actors = await StrategyActors.open(ctx.nc, ctx.prefix, {
        strategies: Object.keys(ctx.system.strategy_list),
        clock: ctx.clock,
      });
      await serveStrategyActors(ctx.nc, ctx.prefix, actors);
      await actors.announce();
      return actors;
    })();
    h.catch(() => map.delete(ctx.prefix));
    byPrefix.set(ctx.prefix, h);
  }
  return h;
}

/** A failed run fails the method (the process runner records it), after the actor recorded it. */
function throwIfFailed(strategy: string, r: { state: string; context: { last_error: string | null } }) {
  if (r.state === 'failed') throw new Error(`${strategy}: ${r.context.last_error ?? 'failed'}`);
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
    const data = await systemData(ctx);
    const actors = await strategyActorsOf(ctx);
    const r = await actors.runSystem(strategy, ctx.process, async () => {
      const out = await runSystemForStrategy(strategy, rt.systemConfigs[strategy]!, {
        data,
        capital: rt.capitalStore,
        strategies: rt.strategies,
        clock: ctx.clock,
        log: ctx.log,
      });
      return { positions: out.positions.length };
    });
    throwIfFailed(strategy, r);
  };
}

export function strategyOrderMethodFor(strategy: string): ProcessMethod {
  return async (ctx) => {
    checkStrategy(ctx, strategy, ORDER_OBJECT);
    const rt = await openStrategyRuntime(ctx.nc, ctx.prefix, ctx.system, ctx.clock, { log: ctx.log });
    const actors = await strategyActorsOf(ctx);
    let refused = '';
    const a = await actors.generateOrders(strategy, ctx.process, async (tag) => {
      const r = await generateOrdersForStrategy(strategy, {
        strategies: rt.strategies,
        controls: rt.controls,
        instrumentLists: ctx.system,
        state: new DurableStrategyStateSource(ctx.nc, ctx.prefix),
        sink: new QueuedInstrumentOrderSink(
          ctx.nc,
          ctx.prefix,
          (o) => `${strategy}:${tag}:${o.instrument_code}`,
        ),
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
      refused = r.failed.map((f) => `${f.instrument_code} ${f.error}`).join('; ');
      return { placed: r.placed.length, ignored: r.ignored.length, failed: r.failed.length };
    });
    throwIfFailed(strategy, a);
    if ((a.context.orders_failed ?? 0) > 0)
      throw new Error(`${a.context.orders_failed} order(s) of ${strategy} refused by the stack: ${refused}`);
  };
}

/** run_systems' method for any strategy: the method name is the strategy name. */
export const runSystemMethod: ProcessMethod = (ctx) => systemMethodFor(ctx.method)(ctx);
/** run_strategy_order_generator's method for any strategy: the method name is the strategy name. */
export const runStrategyOrderMethod: ProcessMethod = (ctx) => strategyOrderMethodFor(ctx.method)(ctx);
