/**
 * Ports the strategy order generator talks through, with NATS request implementations.
 * The order stack, positions and roll services are built elsewhere; the subjects assumed are:
 * - `<prefix>.orders.instrument.create` {strategy_name, instrument_code, trade, reference_*}
 * - `<prefix>.orders.instrument.list`   {strategy_name} → [{strategy_name, instrument_code, trade, fill}]
 * - `<prefix>.positions.strategy.list`  {} → [{strategy_name, instrument_code, position}]
 * - `<prefix>.rolls.state.list`          {} → [{instrument_code, roll_state}]
 * - `<prefix>.locks.list`                {} → [instrument_code]
 * All replies use the service envelope of `src/bus/service.ts`. A missing service is an error:
 * orders are never generated from guessed positions.
 */
import { NoRespondersError } from '@nats-io/nats-core';
import type { NatsConnection } from '@nats-io/transport-node';
import { callService } from '../src/bus/service.ts';
import { subject } from '../src/bus/subjects.ts';
import type {
  OpenInstrumentOrder,
  RollState,
  StrategyOrder,
} from '../src/domain/strategy-orders/generate.ts';

export interface InstrumentOrderSink {
  /** Put one instrument order on the stack; returns whatever the stack answers (e.g. its id). */
  create(order: StrategyOrder): Promise<unknown>;
}

export interface StrategyStateSource {
  /** Every strategy's positions (the generator sums them per instrument for instrument limits). */
  positions(): Promise<Array<{ strategy_name: string; instrument_code: string; position: number }>>;
  openOrders(strategy: string): Promise<OpenInstrumentOrder[]>;
  rollStates(): Promise<Record<string, RollState>>;
  lockedInstruments(): Promise<string[]>;
}

export class ServiceUnavailable extends Error {}

async function call<R>(nc: NatsConnection, subj: string, body: unknown): Promise<R> {
  try {
    return await callService<R>(nc, subj, body);
  } catch (err) {
    if (err instanceof NoRespondersError || (err instanceof Error && /no responders/i.test(err.message)))
      throw new ServiceUnavailable(`no service answers ${subj}`);
    throw err;
  }
}

export class NatsInstrumentOrderSink implements InstrumentOrderSink {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
  ) {}
  create(order: StrategyOrder): Promise<unknown> {
    return call(this.nc, subject(this.prefix, 'orders', 'instrument', 'create'), order);
  }
}

export class NatsStrategyStateSource implements StrategyStateSource {
  constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
  ) {}
  positions() {
    return call<Array<{ strategy_name: string; instrument_code: string; position: number }>>(
      this.nc,
      subject(this.prefix, 'positions', 'strategy', 'list'),
      {},
    );
  }
  openOrders(strategy: string) {
    return call<OpenInstrumentOrder[]>(this.nc, subject(this.prefix, 'orders', 'instrument', 'list'), {
      strategy_name: strategy,
    });
  }
  async rollStates() {
    const rows = await call<Array<{ instrument_code: string; roll_state: RollState }>>(
      this.nc,
      subject(this.prefix, 'rolls', 'state', 'list'),
      {},
    );
    return Object.fromEntries(rows.map((r) => [r.instrument_code, r.roll_state]));
  }
  lockedInstruments() {
    return call<string[]>(this.nc, subject(this.prefix, 'locks', 'list'), {});
  }
}
