/**
 * Ports the strategy order generator talks through (digest §2 B1: current positions, locks, roll
 * states in; instrument orders out), with the implementations production uses:
 * - `DurableStrategyStateSource`: positions rebuilt from the stack's fills stream and locks from
 *   its KV bucket (`actors/stack/read-model.ts`), so the generator works while the stack handler
 *   is not running. Unfilled orders are not read: the stack nets on insert (digest B5).
 * - `QueuedInstrumentOrderSink`: each order queued durably in the work queue
 *   `<PREFIX>_ORDER_REQUESTS` (`actors/stack/order-requests.ts`) for the stack handler.
 * - `NatsRollStateSource`: `<prefix>.rolls.state.list` `{}` → `[{instrument_code, roll_state}]`
 *   in the service envelope of `src/bus/service.ts`. No roll-state service exists yet; when none
 *   answers the generator treats every instrument as Passive (warning).
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

/** Roll states (digest §3), checked at the edge. */
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

/** Roll states from a roll-state service on `<prefix>.rolls.state.list`. */
export class NatsRollStateSource {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    /** Roll-state requests wait this long before "no roll-state service" (ms). */
    private readonly rollStateTimeoutMs = 2_000,
  ) {}

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
    /** The request id of an order (default: its content); the strategy actor gives its run's. */
    private readonly requestId?: (order: StrategyOrder) => string,
  ) {}
  async create(order: StrategyOrder): Promise<unknown> {
    const { reference_contract, ...rest } = order;
    const body = reference_contract ? { ...rest, reference_contract } : rest;
    const id =
      this.requestId?.(order) ??
      [order.strategy_name, order.instrument_code, order.reference_datetime ?? '', order.trade].join(':');
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
  private readonly rolls: NatsRollStateSource;
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
    rollStateTimeoutMs?: number,
  ) {
    this.rolls = new NatsRollStateSource(nc, prefix, rollStateTimeoutMs);
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
