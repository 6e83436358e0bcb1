import type { NatsConnection } from '@nats-io/transport-node';
import type { BrokerPort } from '../../src/broker/port.ts';
import type { Clock } from '../../src/clock.ts';
import { brokerOrderMachine } from '../../machines/broker-order.ts';
import { contractOrderMachine } from '../../machines/contract-order.ts';
import { instrumentOrderMachine } from '../../machines/instrument-order.ts';
import { MachineActors } from '../host/machine-actors.ts';
import { OrderHost } from '../host/order-host.ts';
import { brokerMachineInput, contractMachineInput, instrumentMachineInput } from './order-inputs.ts';
import { describeOrder } from './order-projections.ts';
import { AlgoActors } from './algo-actors.ts';
import { InstrumentLocks } from './lock-actors.ts';
import { Mailboxes } from './mailboxes.ts';
import { applyFillToPositions } from './positions.ts';
import type { OrderJournal } from '../../src/store/order-journal.ts';
import type { LockReason, StackKv } from '../store/stack-kv.ts';
import {
  type ContractResolver,
  logCritical,
  type StackConfig,
  type StackLogger,
  type TradeLimits,
} from './ports.ts';
import {
  type AnyOrder,
  type BrokerOrder,
  type ContractOrder,
  contractPositionKey,
  type FillIndexEntry,
  type FillRecord,
  type InstrumentOrder,
  type OrderLevel,
  strategyPositionKey,
} from './types.ts';

/** The order record of one level. */
type OrderOf<L extends OrderLevel> = Extract<AnyOrder, { level: L }>;

export interface StackDeps {
  nc?: NatsConnection;
  broker: BrokerPort;
  clock: Clock;
  prefix: string;
  log: StackLogger;
  contracts: ContractResolver;
  tradeLimits: TradeLimits;
  config: StackConfig;
}

export interface StackCounters {
  duplicate_fills: number;
  unmatched_fills: number;
  overfills: number;
  late_fills: number;
  broker_orders_sent: number;
}

/** Shared state of the stack handler: the three stacks (hosted actors), positions, locks. */
export class StackCore {
  readonly host: OrderHost<AnyOrder>;
  /** Contract positions `instrument/contractDate` and strategy positions `strategy/instrument`: sums of fills. */
  readonly contractPositions = new Map<string, number>();
  readonly strategyPositions = new Map<string, number>();
  readonly seenExecIds = new Set<string>();
  /**
   * Recorded fills by execution id: where a commission reported later, or a broker's correction
   * of the fill (`revision`: the correcting execution id), is joined.
   */
  readonly fillIndex = new Map<string, FillIndexEntry>();
  /** Commissions reported before their fill (joined when the fill is recorded). */
  readonly pendingCommissions = new Map<string, { commission: number; currency: string }>();
  /** Fills of orders that are not ours, seen (and logged) but not recorded. */
  readonly foreignExecIds = new Set<string>();
  /** The instrument lock actors (lock-actors.ts): whether an instrument is locked is their state. */
  readonly lockActors = new InstrumentLocks(this);
  /** The execution algo actors (algo-actors.ts), one per broker order an algo works. */
  readonly algos = new AlgoActors();
  readonly byOrderRef = new Map<string, number>();
  readonly counters: StackCounters = {
    duplicate_fills: 0,
    unmatched_fills: 0,
    overfills: 0,
    late_fills: 0,
    broker_orders_sent: 0,
  };
  /** Fills applied in this process (including replayed ones). */
  fillsApplied = 0;
  /** Called when a family completes (history written, members deactivated). */
  readonly completedListeners = new Set<(io: InstrumentOrder) => void>();
  /** One mailbox per broker order (by orderRef): its events and sweeps run one at a time. */
  readonly mailboxes = new Mailboxes();

  /** Run `fn` after everything queued for this broker order; resolves (or rejects) with it. */
  enqueue<R>(orderRef: string, fn: () => Promise<R> | R): Promise<R> {
    return this.mailboxes.enqueue(orderRef, fn);
  }

  /**
   * The order actors (order-actors.ts). Each machine's context holds its input's `order` as given:
   * a record stores it only when its fields do not rebuild it (machine-actors.ts `inputKey`).
   */
  readonly brokerActors: MachineActors<typeof brokerOrderMachine, BrokerOrder>;
  readonly contractActors = new MachineActors(contractOrderMachine, contractMachineInput, 'order');
  readonly instrumentActors = new MachineActors(instrumentOrderMachine, instrumentMachineInput, 'order');
  /** Set by the stack handler: what follows when an instrument order's machine completes its family. */
  onFamilyCompleted: (io: InstrumentOrder) => void = () => undefined;

  familyCompleted = (io: InstrumentOrder): void => this.onFamilyCompleted(io);

  /** Family completions under way (history record being written). */
  private readonly completions = new Set<Promise<void>>();

  track(p: Promise<void>): Promise<void> {
    const q = p.catch((err: unknown) =>
      logCritical(this.log, 'family completion failed', { err: String(err) }),
    );
    this.completions.add(q);
    void q.finally(() => this.completions.delete(q));
    return q;
  }

  /** Resolves when every family completion started so far is written. */
  async settledCompletions(): Promise<void> {
    while (this.completions.size > 0) await Promise.all([...this.completions]);
  }

  /** Work queues, so a pass looks only at orders with work to do (not the whole stack). */
  readonly toSpawn = new Set<number>();
  /** Contract orders whose spawn step is durable: only these get broker orders. */
  readonly toSend = new Set<number>();
  /** Families being completed (guards against completing one twice concurrently). */
  readonly completing = new Set<number>();
  /** Instrument order ids by strategy/instrument, for netting on insert without a scan. */
  private readonly byKey = new Map<string, number[]>();

  /** Active instrument orders of one strategy and instrument. */
  activeInstrumentOrders(strategyName: string, instrumentCode: string): InstrumentOrder[] {
    const k = strategyPositionKey(strategyName, instrumentCode);
    const out: InstrumentOrder[] = [];
    for (const id of this.byKey.get(k) ?? []) {
      const o = this.instrumentOrder(id);
      if (o?.active) out.push(o);
    }
    const ids = out.map((o) => o.id);
    this.byKey.set(k, ids);
    return out;
  }

  indexInstrumentOrder(o: InstrumentOrder): void {
    const k = strategyPositionKey(o.strategyName, o.instrumentCode);
    this.byKey.set(k, [...(this.byKey.get(k) ?? []), o.id]);
    if (o.requestId !== undefined) this.byRequest.set(o.requestId, o.id);
    if (o.rollOrder) {
      let ids = this.rollOrderIds.get(o.instrumentCode);
      if (!ids) this.rollOrderIds.set(o.instrumentCode, (ids = new Set()));
      ids.add(o.id);
    }
  }

  /** Roll orders by instrument (indexed with the instrument orders), so a spawn need not scan. */
  private readonly rollOrderIds = new Map<string, Set<number>>();

  /** Whether a roll order is active on the instrument stack for this instrument. */
  hasActiveRollOrder(instrumentCode: string): boolean {
    const ids = this.rollOrderIds.get(instrumentCode);
    if (!ids) return false;
    for (const id of ids) {
      if (this.instrumentOrder(id)?.active) return true;
      ids.delete(id);
    }
    return false;
  }

  /** Requests being put on the stack now (a redelivery waits for the same order). */
  readonly requestsInFlight = new Map<string, Promise<InstrumentOrder>>();

  /** Instrument order ids by the queued request that created them (exactly once, issue 10 §4). */
  private readonly byRequest = new Map<string, number>();

  /** Requests whose orders left the stack at end of day (StackKv `requests.*`), with the order id. */
  readonly consumedRequests = new Map<string, number>();

  /** The order a queued request created, while it is on the stack (live or completed). */
  orderForRequest(requestId: string): InstrumentOrder | undefined {
    const id = this.byRequest.get(requestId);
    return id === undefined ? undefined : this.instrumentOrder(id);
  }

  constructor(
    readonly deps: StackDeps,
    readonly store: OrderJournal,
    readonly kv: StackKv,
  ) {
    this.host = new OrderHost<AnyOrder>(store, {
      nc: deps.nc,
      prefix: deps.prefix,
      inspect: deps.config.inspect,
      onFatal: (err) => logCritical(deps.log, 'order host lost its store', { err: String(err) }),
      isLive: (r) => r.active,
      revive: (r) =>
        r.level === 'broker'
          ? this.brokerActors.revive(r)
          : r.level === 'contract'
            ? this.contractActors.revive(r)
            : this.instrumentActors.revive(r),
      describe: (r) => describeOrder(r, this.rootOf(r)),
      now: () => deps.clock.now(),
    });
    const brokerInput = (r: BrokerOrder) => brokerMachineInput(r, deps.broker.name);
    this.brokerActors = new MachineActors(brokerOrderMachine, brokerInput, 'order');
  }

  /** The family root of an order: its instrument order's id. */
  rootOf(o: AnyOrder): number | null {
    if (o.level === 'instrument') return o.id;
    const co = o.level === 'contract' ? o : o.parent === undefined ? undefined : this.contractOrder(o.parent);
    return co?.parent ?? null;
  }

  get log(): StackLogger {
    return this.deps.log;
  }

  now(): number {
    return this.deps.clock.now();
  }

  /** The orders of one level by id; with `keep`, only those it keeps (filtered before sorting). */
  orders<L extends OrderLevel>(level: L, keep?: (o: OrderOf<L>) => boolean): Array<OrderOf<L>> {
    const out: Array<OrderOf<L>> = [];
    for (const r of this.host.ofLevel(level)) {
      const o = r as OrderOf<L>;
      if (!keep || keep(o)) out.push(o);
    }
    return out.sort((a, b) => a.id - b.id);
  }

  /** The active orders of one level by id (an index: completed orders are not visited). */
  activeOrders<L extends OrderLevel>(level: L, keep?: (o: OrderOf<L>) => boolean): Array<OrderOf<L>> {
    const out: Array<OrderOf<L>> = [];
    for (const r of this.host.liveOfLevel(level)) {
      const o = r as OrderOf<L>;
      if (o.active && (!keep || keep(o))) out.push(o);
    }
    return out.sort((a, b) => a.id - b.id);
  }

  instrumentOrder(id: number): InstrumentOrder | undefined {
    const r = this.host.get('instrument', id);
    return r?.level === 'instrument' ? r : undefined;
  }

  contractOrder(id: number): ContractOrder | undefined {
    const r = this.host.get('contract', id);
    return r?.level === 'contract' ? r : undefined;
  }

  brokerOrder(id: number): BrokerOrder | undefined {
    const r = this.host.get('broker', id);
    return r?.level === 'broker' ? r : undefined;
  }

  orderRefFor(brokerOrderId: number): string {
    return `${this.deps.prefix}:${brokerOrderId}`;
  }

  async newId(level: OrderLevel): Promise<number> {
    return this.kv.nextId(level);
  }

  /** The locked instruments and why, read off their lock actors. */
  get locks(): ReadonlyMap<string, LockReason> {
    return this.lockActors.entries();
  }

  isLocked(instrumentCode: string): boolean {
    return this.lockActors.isLocked(instrumentCode);
  }

  /** Manual lock (H4) or unlock (a break lock too) of an instrument: an event to its lock actor. */
  async setLock(instrumentCode: string, reason: 'manual' | undefined, why?: string): Promise<void> {
    if (reason) await this.lockActors.lock(instrumentCode, why ?? 'manual lock');
    else await this.lockActors.unlock(instrumentCode);
  }

  contractPosition(instrumentCode: string, contractDate: string): number {
    return this.contractPositions.get(contractPositionKey(instrumentCode, contractDate)) ?? 0;
  }

  strategyPosition(strategyName: string, instrumentCode: string): number {
    return this.strategyPositions.get(strategyPositionKey(strategyName, instrumentCode)) ?? 0;
  }

  /** Positions move once per fill record, by its scope (digest F7, F8). */
  applyToPositions(f: FillRecord): void {
    applyFillToPositions(this.contractPositions, this.strategyPositions, f);
  }
}
