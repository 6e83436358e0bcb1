import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { serveOrderAddresses } from './addresses.ts';
import type { BrokerPort } from '../../src/broker/port.ts';
import { DEFAULT_PREFIX } from '../../src/bus/subjects.ts';
import type { Clock } from '../../src/clock.ts';
import type { ActorEventBody } from '../host/order-host.ts';
import { openOrderJournal } from '../store/open-order-journal.ts';
import { timed } from '../../src/log/timing.ts';
import { RidingJournal } from '../store/riding-journal.ts';
import { type LockReason, StackKv } from '../store/stack-kv.ts';
import type { JournalEntry } from '../../src/store/journal.ts';
import type { OrderJournal } from '../../src/store/order-journal.ts';
import { algoTick } from './algo-tick.ts';
import { afterBrokerFill, confirmPlacements, placeBrokerOrder } from './algos.ts';
import { onBrokerEvent } from './broker-events.ts';
import { createBrokerOrdersFromContractOrders } from './broker-orders.ts';
import { checkExternalPositionBreak } from './checks.ts';
import { completeFamily, handleCompletedOrders, safeStackRemoval } from './completion.ts';
import { StackCore } from './core.ts';
import { applyFillRecord } from './fills.ts';
import { resumeCorrections } from './late-corrections.ts';
import { rewriteLostAmendments } from './late-fills.ts';
import { reconcileChildren } from './order-actors.ts';
import { reconcileLinks } from './restore-links.ts';
import {
  type ContractResolver,
  memoryTradeLimits,
  type StackConfig,
  logCritical,
  type StackLogger,
  silentLogger,
  staticContracts,
  type TradeLimits,
} from './ports.ts';
import { processFillsStack, recordUnseenBrokerFills } from './process-fills.ts';
import {
  createInstrumentOrder,
  type NewInstrumentOrder,
  spawnChildrenFromNewInstrumentOrders,
} from './spawn.ts';
import { chargeDoneBrokerOrders } from './trade-limit-charges.ts';
import type { AnyOrder, FillRecord, InstrumentOrder } from './types.ts';
import { positionRows, type StackPositions } from './read-model.ts';

export interface StackHandlerOptions {
  nc: NatsConnection;
  broker: BrokerPort;
  clock: Clock;
  prefix?: string;
  log?: StackLogger;
  contracts?: ContractResolver;
  tradeLimits?: TradeLimits;
  config?: StackConfig;
  /**
   * The stored stack, read ahead (`StackHandler.load`) while the broker and the contracts were
   * being opened: a standby taking over reads it through a JetStream election. Default: read here.
   */
  stored?: Promise<StoredStack>;
}

/** What the stack handler restores from: its stores and their contents, read once at start. */
export interface StoredStack {
  store: OrderJournal;
  kv: StackKv;
  entries: Array<JournalEntry<ActorEventBody<AnyOrder>>>;
  fills: Array<JournalEntry<FillRecord>>;
  locks: Map<string, LockReason>;
  consumed: Map<string, number>;
  lockNotes: Map<string, string>;
}

export interface RestoreReport {
  open_orders: number;
  fills: number;
  resent: number;
  reconciled_fills: number;
}

/**
 * The stack handler (run_stack_handler, digest §2 A–H): the three order stacks as hosted actors,
 * the process methods of the reference in their order (A1), and broker events (fills, status)
 * handled as they arrive, one mailbox per broker order.
 */
export class StackHandler {
  readonly core: StackCore;
  private unsubscribe: (() => void) | undefined;
  private addresses: Subscription | undefined;
  restoreReport: RestoreReport = { open_orders: 0, fills: 0, resent: 0, reconciled_fills: 0 };

  private constructor(core: StackCore) {
    this.core = core;
  }

  /** Open the stores and read what a restore starts from (independent reads at once). */
  static async load(
    nc: NatsConnection,
    prefix: string,
    log: StackLogger = silentLogger,
  ): Promise<StoredStack> {
    const [store, kv] = await Promise.all([
      timed(log, 'order journal', openOrderJournal(nc, prefix)),
      timed(log, 'stack state', StackKv.open(nc, prefix)),
    ]);
    const [entries, fills, locks, consumed, lockNotes] = await Promise.all([
      timed(log, 'load stack', store.loadStack<ActorEventBody<AnyOrder>>()),
      timed(log, 'load fills', store.loadFills<FillRecord>()),
      timed(log, 'load locks', kv.loadLocks()),
      timed(log, 'load consumed requests', kv.loadConsumedRequests()),
      timed(log, 'load lock notes', kv.loadLockNotes()),
    ]);
    return { store, kv, entries, fills, locks, consumed, lockNotes };
  }

  /** Open the stores, restore every open order actor (snapshot plus fill replay), reconcile. */
  static async open(opts: StackHandlerOptions): Promise<StackHandler> {
    const prefix = opts.prefix ?? DEFAULT_PREFIX;
    const log = opts.log ?? silentLogger;
    const stored = await (opts.stored ?? StackHandler.load(opts.nc, prefix, log));
    // Journal writes ride through a nats-server restart or a full store (riding-journal.ts).
    const store = new RidingJournal(stored.store, {
      retryMs: opts.config?.journalRetryMs,
      onTrouble: (err) =>
        logCritical(log, 'order journal writes failing: orders held, writes retried', { err: String(err) }),
      onBack: () => log.warn({}, 'order journal writes land again'),
    });
    const core = new StackCore(
      {
        nc: opts.nc,
        broker: opts.broker,
        clock: opts.clock,
        prefix,
        log,
        contracts: opts.contracts ?? staticContracts({}),
        tradeLimits: opts.tradeLimits ?? memoryTradeLimits(),
        config: opts.config ?? {},
      },
      store,
      // Id blocks, locks and consumed requests ride through a bus outage too (riding-records.ts).
      stored.kv.riding({ retryMs: opts.config?.journalRetryMs }),
    );
    core.onFamilyCompleted = (io) => void completeFamily(core, io);
    const h = new StackHandler(core);
    await timed(log, 'restore', h.restore(stored));
    // Each order actor's address: `<prefix>.order.<kind>.<id>` (addresses.ts).
    h.addresses = serveOrderAddresses(opts.nc, core);
    return h;
  }

  private async restore({ entries, fills, locks, consumed, lockNotes }: StoredStack): Promise<void> {
    const { core } = this;
    const log = core.log;
    const open = core.host.restore(entries);
    core.lockActors.restore(locks, lockNotes);
    for (const [r, id] of consumed) core.consumedRequests.set(r, id);
    for (const b of core.orders('broker')) core.byOrderRef.set(b.orderRef, b.id);
    for (const i of core.orders('instrument')) {
      core.indexInstrumentOrder(i);
      if (i.active && i.state === 'new') core.toSpawn.add(i.id);
    }
    for (const c of core.orders('contract')) if (c.active) core.toSend.add(c.id);
    // A crash between two actors' appends of one step leaves their links apart: mend them first.
    const links = await timed(
      log,
      'reconcile links',
      reconcileLinks(
        core,
        fills.map((f) => f.data),
      ),
    );
    if (Object.values(links).some((n) => n > 0)) core.log.warn({ ...links }, 'restore mended order links');
    // Restore = snapshot (each actor's last record) + replay of the fills it had not written.
    for (const f of fills) applyFillRecord(core, f.data, true);
    reconcileChildren(core);
    // A fill correction whose orders' events a crash lost (written ahead on its broker order).
    await resumeCorrections(core);
    // An amended history record (late fill, correction) a crash lost after the orders' appends.
    await rewriteLostAmendments(core);
    const broker = core.deps.broker;
    this.unsubscribe = broker.onEvent((e) => onBrokerEvent(core, e));
    if (!broker.isConnected()) await timed(log, 'broker connect', broker.connect());
    // Broker orders written but maybe never sent: send again with the same orderRef (idempotent).
    const pending = core.orders('broker').filter((b) => b.active && b.brokerStatus === 'pending-submit');
    await timed(log, 'resend pending', Promise.all(pending.map((b) => placeBrokerOrder(core, b))));
    const reconciled = await timed(log, 'process fills stack', processFillsStack(core));
    for (const b of core.orders('broker')) {
      if (!b.active) continue;
      // The algo hears of a fill or cancel it missed; one that finished lets go of its order.
      if (b.fill === b.trade || b.brokerStatus === 'cancelled') afterBrokerFill(core, b.id);
    }
    chargeDoneBrokerOrders(core); // D4a charges a crash may have lost: named, so counted once
    await timed(log, 'handle completed orders', handleCompletedOrders(core));
    this.restoreReport = {
      open_orders: open,
      fills: fills.length,
      resent: pending.length,
      reconciled_fills: reconciled,
    };
  }

  /** Resolves when every broker event received so far has been handled. */
  async settled(): Promise<void> {
    while (this.core.mailboxes.size > 0) await Promise.all([...this.core.mailboxes.values()]);
    await this.core.settledCompletions();
  }

  /** Resolves when the broker events received before this call have been handled (bounded wait). */
  async drained(): Promise<void> {
    await Promise.all([...this.core.mailboxes.values()]);
  }

  // The process methods of run_stack_handler (digest A1), in the reference's words.
  checkExternalPositionBreak = () =>
    checkExternalPositionBreak(this.core, async () => {
      await this.drained();
      await recordUnseenBrokerFills(this.core);
    });
  spawnChildrenFromNewInstrumentOrders = () => spawnChildrenFromNewInstrumentOrders(this.core);
  createBrokerOrdersFromContractOrders = () => createBrokerOrdersFromContractOrders(this.core);
  processFillsStack = () => processFillsStack(this.core);
  handleCompletedOrders = () => handleCompletedOrders(this.core);
  safeStackRemoval = async () => {
    await this.settled();
    return safeStackRemoval(this.core);
  };
  /** CLOCK_TICK: re-armed algo deadlines (timeouts, passive → aggressive). */
  tick = () => algoTick(this.core);

  private lastSweep = Number.NEGATIVE_INFINITY;
  private lastBreakCheck = Number.NEGATIVE_INFINITY;

  /**
   * One pass of the loop, in the order of digest A1. Fills arrive as events between passes; the
   * fills sweep (F1) and completion scan are the safety net, run every `fillsSweepEveryMs`
   * (default 0: every pass, as the reference).
   */
  async runLoopPass(): Promise<void> {
    // Paced by the injected clock (no wall-clock read in the order path).
    const now = this.core.now();
    if (now - this.lastBreakCheck >= (this.core.deps.config.breakCheckEveryMs ?? 0)) {
      this.lastBreakCheck = now;
      await this.checkExternalPositionBreak();
    }
    await this.spawnChildrenFromNewInstrumentOrders();
    // Unknown placements settled first: one given up frees its contract order for this pass.
    await confirmPlacements(this.core);
    await this.createBrokerOrdersFromContractOrders();
    await this.tick();
    const every = this.core.deps.config.fillsSweepEveryMs ?? 0;
    if (this.core.now() - this.lastSweep >= every) {
      this.lastSweep = this.core.now();
      await this.processFillsStack();
      await this.handleCompletedOrders();
    }
  }

  createInstrumentOrder(req: NewInstrumentOrder): Promise<InstrumentOrder> {
    return createInstrumentOrder(this.core, req);
  }

  /** Positions: contract level and strategy × instrument level (sums of fills). */
  positions(): StackPositions {
    return positionRows(this.core.contractPositions, this.core.strategyPositions);
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    this.addresses?.unsubscribe();
    await this.settled();
    await this.core.host.flush();
    await this.core.deps.tradeLimits.flush?.();
    this.core.store.close();
  }
}

/** The process methods by the reference's names, for the supervisor's method scheduler. */
export function stackHandlerMethods(h: StackHandler): Record<string, () => Promise<unknown>> {
  return {
    check_external_position_break: h.checkExternalPositionBreak,
    spawn_children_from_new_instrument_orders: h.spawnChildrenFromNewInstrumentOrders,
    create_broker_orders_from_contract_orders: h.createBrokerOrdersFromContractOrders,
    process_fills_stack: h.processFillsStack,
    handle_completed_orders: h.handleCompletedOrders,
    safe_stack_removal: h.safeStackRemoval,
  };
}
