/**
 * Ports the strategy order generator talks through, with NATS request implementations against
 * the order stack services (`actors/stack/services.ts`, service `systack-orders`):
 * - `<prefix>.orders.view.instrument` `{active_only: true}` → instrument orders
 *   `[{strategyName, instrumentCode, trade, fill, active, ...}]`
 * - `<prefix>.orders.view.positions` `{}` → `{contract, strategy: [{strategyName, instrumentCode,
 *   position}], broker, locks: {<instrument>: <reason>}}`
 * - `<prefix>.orders.instrument.create` `{strategy_name, instrument_code, trade, reference_*}`; the
 *   stack nets on insert (digest B5) and answers 409 to a zero residual or a locked instrument.
 * - `<prefix>.rolls.state.list` `{}` → `[{instrument_code, roll_state}]`: no roll-state service
 *   exists yet; when none answers the generator treats every instrument as Passive (warning).
 * All replies use the service envelope of `src/bus/service.ts`. A missing order stack is an
 * error: orders are never generated from guessed positions.
 */
import { NoRespondersError, TimeoutError } from '@nats-io/nats-core';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { callService } from '../src/bus/service.ts';
import { subject } from '../src/bus/subjects.ts';
import { requestInstrumentOrder } from './stack/order-requests.ts';
import { readLocks, readPositions } from './stack/read-model.ts';
import type {
  OpenInstrumentOrder,
  RollState,
  StrategyOrder,
} from '../src/domain/strategy-orders/generate.ts';

export interface InstrumentOrderSink {
  /** Put one instrument order on the stack; returns whatever the stack answers (e.g. the order). */
  create(order: StrategyOrder): Promise<unknown>;
}

/** What the order stack says, read once per strategy run. */
export interface StrategyStackState {
  /** Every strategy's positions (the generator sums them per instrument for instrument limits). */
  positions: Array<{ strategy_name: string; instrument_code: string; position: number }>;
  /** Active instrument orders of the strategy being run. */
  open_orders: OpenInstrumentOrder[];
  locked_instruments: string[];
}

export interface StrategyStateSource {
  stackState(strategy: string): Promise<StrategyStackState>;
  /** Roll state per instrument; undefined when no roll-state service answers. */
  rollStates(): Promise<Record<string, RollState> | undefined>;
}

export class ServiceUnavailable extends Error {}

const unavailable = (err: unknown): boolean =>
  err instanceof NoRespondersError ||
  err instanceof TimeoutError ||
  (err instanceof Error && /no responders|timeout/i.test(err.message));

async function call<R>(nc: NatsConnection, subj: string, body: unknown, timeoutMs?: number): Promise<R> {
  try {
    return await callService<R>(nc, subj, body, timeoutMs);
  } catch (err) {
    if (unavailable(err)) throw new ServiceUnavailable(`no service answers ${subj}`);
    throw err;
  }
}

/** Reply shapes of the order stack (camelCase records, `actors/stack/types.ts`), checked at the edge. */
const instrumentOrders = z.array(
  z.object({
    strategyName: z.string(),
    instrumentCode: z.string(),
    trade: z.number(),
    fill: z.number(),
    active: z.boolean(),
  }),
);
const positionsView = z.object({
  strategy: z.array(z.object({ strategyName: z.string(), instrumentCode: z.string(), position: z.number() })),
  locks: z.record(z.string(), z.unknown()),
});
const ROLL_STATES = [
  'No_Roll',
  'Passive',
  'Force',
  'Force_Outright',
  'Close',
  'No_Open',
  'Roll_Adjusted',
] as const;
const rollStateRows = z.array(z.object({ instrument_code: z.string(), roll_state: z.enum(ROLL_STATES) }));

function parseReply<S extends z.ZodType>(schema: S, reply: unknown, subj: string): z.infer<S> {
  const r = schema.safeParse(reply);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`unexpected reply from ${subj}: ${i ? `${i.path.join('.')}: ${i.message}` : 'invalid'}`);
  }
  return r.data;
}

export class NatsInstrumentOrderSink implements InstrumentOrderSink {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
  ) {}
  create(order: StrategyOrder): Promise<unknown> {
    // the stack refuses an empty reference contract (YYYYMM or YYYYMMDD only)
    const { reference_contract, ...rest } = order;
    const body = reference_contract ? { ...rest, reference_contract } : rest;
    return call(this.nc, subject(this.prefix, 'orders', 'instrument', 'create'), body);
  }
}

export class NatsStrategyStateSource implements StrategyStateSource {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    /** Roll-state requests wait this long before "no roll-state service" (ms). */
    private readonly rollStateTimeoutMs = 2_000,
  ) {}

  async stackState(strategy: string): Promise<StrategyStackState> {
    const viewSubj = subject(this.prefix, 'orders', 'view', 'positions');
    const ordersSubj = subject(this.prefix, 'orders', 'view', 'instrument');
    const [view, orders] = await Promise.all([
      call<unknown>(this.nc, viewSubj, {}),
      call<unknown>(this.nc, ordersSubj, { active_only: true }),
    ]);
    const v = parseReply(positionsView, view, viewSubj);
    return {
      positions: v.strategy.map((p) => ({
        strategy_name: p.strategyName,
        instrument_code: p.instrumentCode,
        position: p.position,
      })),
      open_orders: parseReply(instrumentOrders, orders, ordersSubj)
        .filter((o) => o.active && o.strategyName === strategy)
        .map((o) => ({
          strategy_name: o.strategyName,
          instrument_code: o.instrumentCode,
          trade: o.trade,
          fill: o.fill,
        })),
      locked_instruments: Object.keys(v.locks).sort(),
    };
  }

  async rollStates(): Promise<Record<string, RollState> | undefined> {
    const subj = subject(this.prefix, 'rolls', 'state', 'list');
    let reply: unknown;
    try {
      reply = await call<unknown>(this.nc, subj, {}, this.rollStateTimeoutMs);
    } catch (err) {
      if (err instanceof ServiceUnavailable) return undefined;
      throw err;
    }
    const rows = parseReply(rollStateRows, reply, subj);
    return Object.fromEntries(rows.map((r) => [r.instrument_code, r.roll_state]));
  }
}

/**
 * The sink the order generator uses by default: each order is queued durably for the stack
 * handler (`actors/stack/order-requests.ts`), so orders generated in the evening wait for the
 * next trading window instead of failing because the stack handler is not running. The request
 * id is the order's content, so re-running the generator before the stack handler has taken the
 * first request queues nothing twice.
 */
export class QueuedInstrumentOrderSink implements InstrumentOrderSink {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
  ) {}
  async create(order: StrategyOrder): Promise<unknown> {
    const { reference_contract, ...rest } = order;
    const body = reference_contract ? { ...rest, reference_contract } : rest;
    const id = [order.strategy_name, order.instrument_code, order.reference_datetime ?? '', order.trade].join(
      ':',
    );
    const r = await requestInstrumentOrder(this.nc, this.prefix, body, id);
    return { queued: r.queued, request_seq: r.seq };
  }
}

/**
 * The stack state the generator reads by default: positions rebuilt from the fills stream and locks
 * from the stack's KV bucket, so it works whether or not the stack handler runs. Unfilled orders are
 * not read: the stack nets requests on insert (B5) and removes unfilled orders at end of day.
 */
export class DurableStrategyStateSource implements StrategyStateSource {
  private readonly rolls: NatsStrategyStateSource;
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
  ) {
    this.rolls = new NatsStrategyStateSource(nc, prefix);
  }

  async stackState(): Promise<StrategyStackState> {
    const [positions, locks] = await Promise.all([
      readPositions(this.nc, this.prefix),
      readLocks(this.nc, this.prefix),
    ]);
    return {
      positions: positions.strategy.map((p) => ({
        strategy_name: p.strategyName,
        instrument_code: p.instrumentCode,
        position: p.position,
      })),
      open_orders: [],
      locked_instruments: [...locks.keys()].sort(),
    };
  }

  rollStates(): Promise<Record<string, RollState> | undefined> {
    return this.rolls.rollStates();
  }
}
