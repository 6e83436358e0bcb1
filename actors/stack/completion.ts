import { stepBrokerMachine } from './broker-machine.ts';
import type { StackCore } from './core.ts';
import { logCritical } from './ports.ts';
import { processFillsStack } from './process-fills.ts';
import type { AnyOrder, BrokerOrder, ContractOrder, InstrumentOrder } from './types.ts';

export interface CompletionMode {
  /** G2: at end of day every family completes, partly filled or unfilled. */
  allowZeroCompletions?: boolean;
}

function family(
  core: StackCore,
  io: InstrumentOrder,
): { contracts: ContractOrder[]; brokers: BrokerOrder[] } {
  const contracts = io.children
    .map((id) => core.contractOrder(id))
    .filter((c): c is ContractOrder => c !== undefined);
  const brokers = contracts.flatMap((c) =>
    c.children.map((id) => core.brokerOrder(id)).filter((b): b is BrokerOrder => b !== undefined),
  );
  return { contracts, brokers };
}

/**
 * G1: an instrument order completes when it is filled and every contract child and every broker
 * grandchild is filled (strict mode); at end of day unconditionally. The family goes to the
 * historic order stream, then every member is deactivated (rows stay until end-of-day removal).
 */
export async function tryCompleteFamily(
  core: StackCore,
  io: InstrumentOrder,
  mode: CompletionMode = {},
): Promise<boolean> {
  if (!io.active || core.completing.has(io.id)) return false;
  const { contracts, brokers } = family(core, io);
  if (!mode.allowZeroCompletions) {
    if (io.fill !== io.trade) return false;
    if (contracts.some((c) => c.fill !== c.trade) || brokers.some((b) => b.fill !== b.trade)) return false;
  }
  core.completing.add(io.id);
  const members: AnyOrder[] = [io, ...contracts, ...brokers];
  // The members' pending fill changes wait for the history record, then go with their completion:
  // one append per member.
  const release = core.host.hold(members);
  try {
    try {
      await core.store.appendHistory('instrument', io.id, {
        completedAt: core.now(),
        instrument: io,
        contracts,
        brokers,
      });
    } finally {
      core.completing.delete(io.id);
    }
    for (const m of members) {
      if (!m.active) continue;
      core.host.change(m.level, m.id, 'COMPLETED', (r) => {
        r.active = false;
        r.state = 'completed';
        if (r.level === 'contract') r.referenceOfControllingAlgo = undefined;
        if (r.level === 'broker') stepBrokerMachine(r, { type: 'DEACTIVATE' }, core.log);
      });
    }
  } finally {
    release();
  }
  for (const l of core.completedListeners) l(io);
  return true;
}

/** handle_completed_orders (G1). Returns the completed instrument order ids. */
export async function handleCompletedOrders(core: StackCore, mode: CompletionMode = {}): Promise<number[]> {
  const done: number[] = [];
  for (const io of core.activeOrders('instrument')) {
    if (await tryCompleteFamily(core, io, mode)) done.push(io.id);
  }
  return done;
}

/**
 * safe_stack_removal (G2): cancel every unfilled broker order and wait for the cancels, process
 * fills, complete every family (partial or unfilled), then remove every inactive, unlocked order.
 */
export async function safeStackRemoval(
  core: StackCore,
): Promise<{ cancelled: number; completed: number; removed: number }> {
  const { broker } = core.deps;
  const open = core
    .orders('broker')
    .filter(
      (b) =>
        b.active && b.fill !== b.trade && b.brokerStatus !== 'cancelled' && b.brokerStatus !== 'rejected',
    );
  for (const bo of open) {
    core.host.change('broker', bo.id, 'EOD_CANCEL', (r) => {
      (r as BrokerOrder).brokerStatus = 'cancel-requested';
      stepBrokerMachine(r as BrokerOrder, { type: 'CANCEL_REQUESTED' }, core.log);
    });
    await broker
      .cancelOrder(bo.orderRef)
      .catch((e: unknown) => core.log.warn({ err: String(e) }, 'cancel failed'));
  }
  const deadline = Date.now() + (core.deps.config.eodCancelWaitMs ?? 60_000);
  let still = open.map((b) => b.orderRef);
  while (still.length > 0 && Date.now() < deadline) {
    const states = new Map((await broker.orders().catch(() => [])).map((s) => [s.orderRef, s.status]));
    still = still.filter((ref) => {
      const s = states.get(ref);
      return s !== undefined && s !== 'cancelled' && s !== 'filled' && s !== 'rejected';
    });
    if (still.length > 0) await new Promise((r) => setTimeout(r, 50));
  }
  for (const ref of still)
    logCritical(core.log, 'broker order not cancelled at end of day: might be a position break', {
      order_ref: ref,
    });
  await processFillsStack(core);
  const completed = await handleCompletedOrders(core, { allowZeroCompletions: true });
  await core.host.flush();
  let removed = 0;
  for (const o of [...core.host.all()]) {
    if (o.active) continue; // orphans with no live parent stay (digest G2)
    if (o.locked) {
      core.log.warn({ order_id: o.id, level: o.level }, 'locked order not removed at end of day');
      continue;
    }
    if (o.level === 'broker') core.byOrderRef.delete(o.orderRef);
    await core.host.remove(o.level, o.id);
    removed++;
  }
  return { cancelled: open.length - still.length, completed: completed.length, removed };
}
