import type { StackCore } from './core.ts';
import { brokerWithoutMachine, family, withoutMachine } from './family-records.ts';
import { sendBroker, sendContract, sendInstrument } from './order-actors.ts';
import { logCritical } from './ports.ts';
import { processFillsStack } from './process-fills.ts';
import type { InstrumentOrder } from './types.ts';

export interface CompletionMode {
  /** G2: at end of day every family completes, partly filled or unfilled. */
  allowZeroCompletions?: boolean;
}

/**
 * G1/G2 after the instrument order's machine completed its family (strictly: filled, every
 * contract child completed, which needs every broker child settled; or at end of day): the family
 * goes to the historic order stream, then its broker orders are deactivated (DEACTIVATE; the
 * contract and instrument machines deactivated themselves on completing). Rows stay until
 * end-of-day removal. Called synchronously from the instrument order's `completed`: the members'
 * deferred changes are held until the history record is written, then land as one append each.
 * Idempotent (the history record is deduplicated by its id), so a restore can finish a completion
 * a crash interrupted.
 */
export function completeFamily(core: StackCore, io: InstrumentOrder): Promise<void> {
  if (io.orderType === 'balance_trade' || core.completing.has(io.id)) return Promise.resolve();
  core.completing.add(io.id);
  const { contracts, brokers } = family(core, io);
  const release = core.host.hold([io, ...contracts, ...brokers]);
  const done = (async () => {
    try {
      // The history is what the orders were (the historic order tables), not machine state.
      await core.store.appendHistory('instrument', io.id, {
        completedAt: core.now(),
        instrument: withoutMachine(io),
        contracts: contracts.map(withoutMachine),
        brokers: brokers.map(brokerWithoutMachine),
      });
      for (const b of brokers) {
        if (b.active) sendBroker(core, b.id, { type: 'DEACTIVATE' });
        // Its actors go (memory); a late fill or commission starts them again from its record.
        core.brokerActors.stop(b);
        if (b.algo) core.algos.stop(b.algo);
      }
    } finally {
      core.completing.delete(io.id);
      release();
    }
    for (const l of core.completedListeners) l(io);
  })();
  return core.track(done);
}

/** A completed family whose broker orders are still active: its completion was interrupted. */
function unfinished(core: StackCore, io: InstrumentOrder): boolean {
  return !io.active && family(core, io).brokers.some((b) => b.active);
}

/**
 * handle_completed_orders (G1). Families complete in their machines as the events arrive; this
 * pass finishes completions a crash interrupted and, with `allowZeroCompletions` (G2), sends
 * END_OF_DAY to every live family (contract orders first, then the instrument order). Returns the
 * ids of the families completed by this pass.
 */
export async function handleCompletedOrders(core: StackCore, mode: CompletionMode = {}): Promise<number[]> {
  const done: number[] = [];
  for (const io of core.orders('instrument')) {
    if (io.active && mode.allowZeroCompletions) {
      for (const co of family(core, io).contracts)
        if (co.active) sendContract(core, co.id, { type: 'END_OF_DAY' });
      sendInstrument(core, io.id, { type: 'END_OF_DAY' });
      done.push(io.id);
    } else if (unfinished(core, io)) {
      void completeFamily(core, io);
      done.push(io.id);
    }
  }
  await core.settledCompletions();
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
    sendBroker(core, bo.id, { type: 'CANCEL_REQUESTED' });
    await broker
      .cancelOrder(bo.orderRef)
      .catch((e: unknown) => core.log.warn({ err: String(e) }, 'cancel failed'));
  }
  // Polled every 50 ms up to the wait (counted, not read off a clock: a simulated clock may stand).
  const polls = Math.ceil((core.deps.config.eodCancelWaitMs ?? 60_000) / 50);
  let still = open.map((b) => b.orderRef);
  for (let i = 0; still.length > 0 && i < polls; i++) {
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
    if (o.level === 'contract') core.toSend.delete(o.id);
    // The request that made the order stays known after the order leaves (issue 10 §4).
    if (o.level === 'instrument' && o.requestId !== undefined) {
      await core.kv.recordConsumedRequest(o.requestId, o.id);
      core.consumedRequests.set(o.requestId, o.id);
    }
    await core.host.remove(o.level, o.id);
    removed++;
  }
  return { cancelled: open.length - still.length, completed: completed.length, removed };
}
