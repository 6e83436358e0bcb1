/**
 * run_stack_handler's methods for the supervisor's registry (digest A1): one StackHandler per
 * process (per NATS connection and prefix), opened on the first method run (restore, broker
 * connected and subscribed, order services served) and kept for the process's life, because fills
 * and order statuses arrive between method runs. `safe_stack_removal` (run on completion) runs end
 * of day and closes it.
 *
 * The contracts and roll states come from the stored state (`actors/rolls/stored-contracts.ts`):
 * the priced / forward contracts of the multiple prices and the roll states in KV
 * `<PREFIX>_ROLL_STATUS`, re-read before each spawn and before roll orders are generated.
 *
 * With `broker: sim` the simulated broker keeps its orders and fills in the KV bucket
 * `<PREFIX>_SIMBROKER`, so it outlives a crash of this process as a real broker would.
 */
import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import type { BrokerPort } from '../../src/broker/port.ts';
import { childLogger } from '../../src/log/logger.ts';
import { consumeOrderRequests, type OrderRequestConsumer } from '../stack/order-requests.ts';
import { startOrderServices } from '../stack/services.ts';
import { generateForceRollOrders, unrolledImbalance } from '../rolls/roll-orders.ts';
import { StoredRollContracts } from '../rolls/stored-contracts.ts';
import { refreshAdditionalSampling } from './additional-sampling.ts';
import { orderTag, updateRollStatus } from './rolls.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { StackHandler } from '../stack/stack-handler.ts';
import { startTradeLimitsService } from '../trade-limits-service.ts';
import { startManualOrderServices } from '../manual-orders-service.ts';
import { storedUniverse } from '../universe.ts';
import { storedTradeLimits } from '../stack/stored-trade-limits.ts';
import { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import { closeProcessBroker, processBroker } from './process-broker.ts';
import type { MethodContext, ProcessMethod, ProcessMethodDeps } from './types.ts';
import { skipPassOnBusOutage } from './bus-outage.ts';
import { openPriceStore } from '../../src/store/backend.ts';
import { timed } from '../../src/log/timing.ts';

interface Running {
  handler: StackHandler;
  /** Contracts and stored roll states (re-read before spawning and before roll orders). */
  contracts: StoredRollContracts;
  prices: JetStreamPriceStore;
  service: Service;
  limitsService: Service;
  /** Force roll orders on demand and cash FX trades (interactive_order_stack). */
  manualService: Service;
  broker: BrokerPort;
  requests: OrderRequestConsumer;
}

const running = new WeakMap<NatsConnection, Map<string, Promise<Running>>>();

async function brokerFor(ctx: MethodContext, deps: ProcessMethodDeps): Promise<BrokerPort> {
  return deps.broker ? deps.broker(ctx) : processBroker(ctx);
}

type Universe = Awaited<ReturnType<typeof storedUniverse>>;

/** What the stack handler reads but never writes at start-up: opened before it owns anything. */
interface ReadOnlyStores {
  limits: TradeLimitsStore;
  prices: JetStreamPriceStore;
  contracts: StoredRollContracts;
  universe: Universe;
}

function readOnlyStores(ctx: MethodContext, log: MethodContext['log']): Promise<ReadOnlyStores> {
  return Promise.all([
    timed(
      log,
      'trade limits',
      // Charges ride through a bus outage as the journal's writes do (riding-records.ts).
      TradeLimitsStore.open(ctx.nc, ctx.prefix, { retryMs: ctx.system.journal_write_retry_ms }),
    ),
    timed(log, 'price store', openPriceStore(ctx.nc, ctx.prefix)).then(
      async (p) =>
        [
          p,
          await timed(
            log,
            'roll contracts',
            StoredRollContracts.open({ nc: ctx.nc, prefix: ctx.prefix, clock: ctx.clock }, p, log),
          ),
        ] as const,
    ),
    timed(
      log,
      'universe',
      storedUniverse(ctx.nc, ctx.prefix, {
        strategies: Object.keys(ctx.system.strategy_list),
        maxOrderQty: ctx.system.max_order_qty,
      }),
    ),
  ]).then(([limits, [prices, contracts], universe]) => ({ limits, prices, contracts, universe }));
}

/** Read-only stores a warm stack handler opened while waiting to take over, per connection and prefix. */
const prepared = new WeakMap<NatsConnection, Map<string, Promise<ReadOnlyStores>>>();

function takePrepared(ctx: MethodContext): Promise<ReadOnlyStores> | undefined {
  const p = prepared.get(ctx.nc)?.get(ctx.prefix);
  prepared.get(ctx.nc)?.delete(ctx.prefix);
  return p;
}

/**
 * A warm stack handler (actors/supervisor/warm-children.ts), before it owns its lease: open and
 * read the stores it only reads (trade limits, prices, roll contracts, the universe). It writes
 * nothing, connects to no broker, serves nothing and consumes no request; the stack itself is
 * read after the lease is taken (what the dead handler wrote until it died).
 */
export async function prepareStackHandler(ctx: MethodContext): Promise<void> {
  const byPrefix = prepared.get(ctx.nc) ?? new Map<string, Promise<ReadOnlyStores>>();
  prepared.set(ctx.nc, byPrefix);
  const p = readOnlyStores(ctx, childLogger({ component: 'stack_handler' }, ctx.log));
  byPrefix.set(ctx.prefix, p);
  await p.catch((err: unknown) => {
    if (byPrefix.get(ctx.prefix) === p) byPrefix.delete(ctx.prefix); // the run opens them itself
    throw err;
  });
}

function open(ctx: MethodContext, deps: ProcessMethodDeps): Promise<Running> {
  let byPrefix = running.get(ctx.nc);
  if (!byPrefix) {
    byPrefix = new Map();
    running.set(ctx.nc, byPrefix);
  }
  let r = byPrefix.get(ctx.prefix);
  if (!r) {
    r = (async () => {
      const log = childLogger({ component: 'stack_handler' }, ctx.log);
      // What does not depend on each other is opened at once (a standby taking over waits on
      // each of these through a JetStream election): the stored stack is read meanwhile too.
      const stored = StackHandler.load(ctx.nc, ctx.prefix, log);
      stored.catch(() => undefined); // awaited by StackHandler.open below
      const [broker, { limits, prices, contracts, universe }] = await Promise.all([
        timed(log, 'broker', brokerFor(ctx, deps)),
        takePrepared(ctx) ?? readOnlyStores(ctx, log),
      ]);
      const handler = await StackHandler.open({
        nc: ctx.nc,
        broker,
        contracts,
        clock: ctx.clock,
        prefix: ctx.prefix,
        log,
        tradeLimits: storedTradeLimits(limits, log),
        config: {
          algoOverrides: ctx.system.execution_algos.algo_overrides,
          journalRetryMs: ctx.system.journal_write_retry_ms,
        },
        stored,
      });
      const [service, limitsService, manualService] = await Promise.all([
        timed(log, 'order services', startOrderServices(ctx.nc, handler, ctx.prefix, universe)),
        timed(
          log,
          'trade limits service',
          startTradeLimitsService(ctx.nc, ctx.prefix, limits, ctx.clock, universe),
        ),
        startManualOrderServices(ctx.nc, ctx.prefix, {
          names: universe,
          broker,
          clock: ctx.clock,
          forceRoll: (code) => generateForceRollOrders(handler.core, contracts, prices, { only: code }),
        }),
      ]);
      // Orders the strategy order generator queued while the stack handler was not running.
      const requests = await timed(
        log,
        'order requests consumer',
        consumeOrderRequests(ctx.nc, ctx.prefix, handler, log),
      );
      log.info({ ...handler.restoreReport }, 'stack handler started');
      return { handler, contracts, prices, service, limitsService, manualService, broker, requests };
    })();
    byPrefix.set(ctx.prefix, r);
    r.catch(() => byPrefix?.delete(ctx.prefix));
  }
  return r;
}

const LOOP_METHODS = [
  'check_external_position_break',
  'spawn_children_from_new_instrument_orders',
  'create_broker_orders_from_contract_orders',
  'process_fills_stack',
  'handle_completed_orders',
];

export function stackHandlerProcessMethods(deps: ProcessMethodDeps = {}): Record<string, ProcessMethod> {
  const run =
    (fn: (h: StackHandler) => Promise<unknown>): ProcessMethod =>
    async (ctx) => {
      const { handler } = await open(ctx, deps);
      await fn(handler);
    };
  const methods: Record<string, ProcessMethod> = {
    check_external_position_break: run((h) => h.checkExternalPositionBreak()),
    // C2 first: the stored roll states (and contracts) are re-read, order-generating states with
    // nothing left in the priced contract downgraded to Passive, then children spawned by state.
    spawn_children_from_new_instrument_orders: async (ctx) => {
      const r = await open(ctx, deps);
      await r.contracts.refresh((i, c) => r.handler.core.contractPosition(i, c), {
        imbalance: (i) => unrolledImbalance(r.handler.core, i),
      });
      await r.handler.spawnChildrenFromNewInstrumentOrders();
    },
    // The algos' manage loops (E1/E2) are deadlines ticked here, after new broker orders are sent.
    create_broker_orders_from_contract_orders: run(async (h) => {
      await h.createBrokerOrdersFromContractOrders();
      await h.tick();
    }),
    process_fills_stack: run((h) => h.processFillsStack()),
    handle_completed_orders: run((h) => h.handleCompletedOrders()),
    safe_stack_removal: async (ctx) => {
      const r = await open(ctx, deps);
      await r.requests.stop();
      await r.handler.safeStackRemoval();
      await r.service.stop();
      await r.limitsService.stop();
      await r.manualService.stop();
      await r.handler.close();
      await closeProcessBroker(ctx, r.broker);
      running.get(ctx.nc)?.delete(ctx.prefix);
    },
    generate_force_roll_orders: async (ctx) => {
      const r = await open(ctx, deps);
      const { decisions, created } = await generateForceRollOrders(r.handler.core, r.contracts, r.prices);
      ctx.log.info(
        {
          created,
          skipped: decisions.flatMap((d) => ('skipped' in d ? [`${d.instrumentCode}: ${d.skipped}`] : [])),
        },
        `roll orders: ${created.length} created`,
      );
    },
    // The roll tool's automatic mode where the control config lists it here (process-methods/rolls.ts),
    // with this handler's own stacks saying which instruments have orders working.
    update_roll_status: async (ctx) => {
      const { handler } = await open(ctx, deps);
      await updateRollStatus(ctx, (code) =>
        [
          ...handler.core.activeOrders('instrument', (o) => o.instrumentCode === code),
          ...handler.core.activeOrders('contract', (o) => o.instrumentCode === code),
        ].map(orderTag),
      );
    },
    refresh_additional_sampling_all_instruments: async (ctx) => {
      const r = await open(ctx, deps);
      await r.contracts.refresh(undefined, { full: true });
      const priced = r.contracts
        .instruments()
        .map((i) => ({ instrumentCode: i, contractDate: r.contracts.pricedContract(i) }));
      const samples = await refreshAdditionalSampling(
        { nc: ctx.nc, prefix: ctx.prefix, clock: ctx.clock, log: ctx.log },
        r.broker,
        priced,
      );
      ctx.log.info({ sampled: samples.length, of: priced.length }, 'bid/ask spreads sampled');
    },
  };
  // The loop's passes ride through a bus restart (bus-outage.ts); end of day and on-demand ones do not.
  for (const name of LOOP_METHODS) {
    const m = methods[name];
    if (m) methods[name] = skipPassOnBusOutage(name, m);
  }
  return methods;
}
