/**
 * Ports the strategy order generator talks through (digest §2 B1: current positions, locks, roll
 * states in; instrument orders out), with the implementations production uses:
 * - `DurableStrategyStateSource`: positions rebuilt from the stack's fills stream and locks from
 *   its KV bucket (`actors/stack/read-model.ts`), so the generator works while the stack handler
 *   is not running. Unfilled orders are not read: the stack nets on insert (digest B5).
 * - `QueuedInstrumentOrderSink`: each order queued durably in the work queue
 *   `<PREFIX>_ORDER_REQUESTS` (`actors/stack/order-requests.ts`) for the stack handler.
 * - `NatsRollStateSource`: the roll states stored in KV `<PREFIX>_ROLL_STATUS` by the roll status
 *   actors (`actors/rolls`); an instrument with no stored state is No_Roll.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { readRollStates } from './rolls/roll-status-host.ts';
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
  /** Roll state per instrument (undefined: none known, the generator then assumes Passive). */
  rollStates(): Promise<Record<string, RollState> | undefined>;
}

/**
 * Roll states stored by the roll status actors (KV `<PREFIX>_ROLL_STATUS`,
 * `actors/rolls/roll-status-host.ts`); an instrument never changed is No_Roll (the reference's
 * default), so the generator applies exactly the states the operator and the roll tool set.
 */
export class NatsRollStateSource {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
  ) {}

  rollStates(): Promise<Record<string, RollState>> {
    return readRollStates(this.nc, this.prefix);
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
  ) {
    this.rolls = new NatsRollStateSource(nc, prefix);
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
