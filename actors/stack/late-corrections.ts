/**
 * A broker's correction of a fill (IB `fill-corrected`) on its way to the fill's family: the broker
 * order's FILL_CORRECTED, the contract order's and the instrument order's CHILD_FILL_CORRECTED,
 * each order stepped on its own, live or completed. A completed order's actor was stopped at
 * completion (its record keeps the machine's snapshot, the last message of its journal subject):
 * it is started again from its snapshot, takes the event (`completed` is not final: fill and price
 * amended, `completionAmended` reported), the step is journalled at once like any step, and the
 * actor is stopped again. The instrument order's `completionAmended` rewrites the family's history
 * record (its message id carries the execution id and the correcting execution id, and a record
 * that lists the amendment already is not written again); readers take an order's last history
 * record, so reports show the corrected figures.
 *
 * The crash window between the corrected fill record (fills stream) and the orders' events: the
 * correction is written ahead on the broker order (`correcting`, durable before the fill record),
 * and each order records the revision it took (`corrections`) in the same append as its machine's
 * step. A restore (`resumeCorrections`) finishes a correction still written ahead: every order of
 * the family that lacks it takes it, once; one that holds it is left alone.
 */
import type { AnyStateMachine, EmittedFrom, EventFromLogic, SnapshotFrom } from 'xstate';
import type { MachineActors } from '../host/machine-actors.ts';
import { family, brokerWithoutMachine, withoutMachine } from './family-records.ts';
import type { StackCore } from './core.ts';
import { sendInstrument } from './order-actors.ts';
import { projectBroker, projectContract, projectInstrument } from './order-projections.ts';
import { logCritical } from './ports.ts';
import { chargeHeldCompletion } from './trade-limit-charges.ts';
import type { AnyOrder, InstrumentOrder, PendingCorrection } from './types.ts';

/** Which correction this is: the corrected fill's execution id and the correcting execution id. */
export interface CorrectionRevision {
  execId: string;
  revision: string;
}

/** One amendment as the history record lists it. */
interface Amendment extends CorrectionRevision {
  at: number;
}

/**
 * The revision a late fill (one that came after its family completed) is marked with in an order's
 * `corrections` and listed with in the history's amendments (late-fills.ts).
 */
export const LATE_FILL = 'fill';

const holds = (o: Pick<AnyOrder, 'corrections'>, c: CorrectionRevision): boolean =>
  o.corrections?.[c.execId] === c.revision;

/**
 * Carry a correction to every order of the broker order's family that has not taken it yet (each
 * order's step and its `corrections` mark are one append). Returns the orders stepped.
 */
export function correctFamily(core: StackCore, brokerOrderId: number, c: PendingCorrection): AnyOrder[] {
  const { original, corrected } = c;
  const which = { execId: c.execId, revision: c.revision };
  const stepped: AnyOrder[] = [];
  const bo = core.brokerOrder(brokerOrderId);
  if (!bo) return stepped;
  if (!holds(bo, which)) {
    const event = { type: 'FILL_CORRECTED' as const, original, corrected };
    const r = stepOne(core, 'broker', bo.id, event, core.brokerActors, projectBroker, which);
    report(core, 'broker', r.emitted);
    stepped.push(r.order);
    if (!bo.active) core.brokerActors.stop(bo);
  }
  const co = bo.parent === undefined ? undefined : core.contractOrder(bo.parent);
  if (!co) return stepped;
  if (!holds(co, which)) {
    const event = { type: 'CHILD_FILL_CORRECTED' as const, childId: String(bo.id), original, corrected };
    const heldBy = co.referenceOfControllingAlgo;
    const r = stepOne(core, 'contract', co.id, event, core.contractActors, projectContract, which);
    report(core, 'contract', r.emitted);
    stepped.push(r.order);
    if (r.emitted.some((e) => e.type === 'completed')) chargeHeldCompletion(core, heldBy);
    // A live order the correction completed tells its parent, as any completion (order-actors.ts).
    for (const e of r.emitted)
      if (e.type === 'completed' && e.parentId !== null)
        sendInstrument(
          core,
          Number(e.parentId),
          { type: 'CHILD_COMPLETED', childId: e.orderId },
          { defer: true },
        );
    if (!co.active) core.contractActors.stop(co);
  }
  const io = co.parent === undefined ? undefined : core.instrumentOrder(co.parent);
  if (!io) return stepped;
  if (holds(io, which)) {
    // Restore: the amended history record may be what the crash lost (written once, see below).
    if (!io.active) void amendFamilyHistory(core, io, which);
    return stepped;
  }
  const event = { type: 'CHILD_FILL_CORRECTED' as const, childId: String(co.id), original, corrected };
  const r = stepOne(core, 'instrument', io.id, event, core.instrumentActors, projectInstrument, which);
  report(core, 'instrument', r.emitted);
  stepped.push(r.order);
  for (const e of r.emitted) {
    if (e.type === 'completed') core.familyCompleted(io);
    else if (e.type === 'completionAmended') void amendFamilyHistory(core, io, which);
  }
  if (!io.active) core.instrumentActors.stop(io);
  return stepped;
}

/**
 * A correction written ahead on its broker order: carried to the family, and once every order's
 * step is durable, no longer written ahead.
 */
export async function settleCorrection(
  core: StackCore,
  brokerOrderId: number,
  c: PendingCorrection,
): Promise<void> {
  const stepped = correctFamily(core, brokerOrderId, c);
  await Promise.all(stepped.map((o) => core.host.durable(o.level, o.id)));
  if (core.brokerOrder(brokerOrderId)?.correcting?.revision !== c.revision) return;
  core.host.change(
    'broker',
    brokerOrderId,
    'CORRECTION_SETTLED',
    (b) => {
      delete b.correcting;
    },
    { defer: 'lazy' },
  );
}

/**
 * After a restore: a correction written ahead whose family's events a crash lost. When the fill
 * record holds it (the fills stream, the commit point), every order lacking it takes it; when the
 * fill record was never corrected, nothing took it (the orders follow the fill record) and it is
 * dropped, to be applied when the broker reports it again. Returns how many were carried.
 */
export async function resumeCorrections(core: StackCore): Promise<number> {
  let n = 0;
  for (const bo of core.orders('broker')) {
    const c = bo.correcting;
    if (!c) continue;
    if (core.fillIndex.get(c.execId)?.revision === c.revision) {
      core.log.warn(
        { broker_order_id: bo.id, exec_id: c.execId, corrected_by: c.revision },
        'fill correction resumed after a restart',
      );
      await settleCorrection(core, bo.id, c);
      n++;
      continue;
    }
    core.log.warn(
      { broker_order_id: bo.id, exec_id: c.execId, corrected_by: c.revision },
      'fill correction never recorded before a restart: dropped until the broker reports it again',
    );
    core.host.change('broker', bo.id, 'CORRECTION_DROPPED', (b) => {
      delete b.correcting;
    });
  }
  return n;
}

/** One event to one order's machine (its actor started from its snapshot if stopped), marked taken. */
export function stepOne<L extends AnyOrder['level'], M extends AnyStateMachine>(
  core: StackCore,
  level: L,
  id: number,
  event: EventFromLogic<M>,
  actors: MachineActors<M, Extract<AnyOrder, { level: L }>>,
  project: (order: Extract<AnyOrder, { level: L }>, snapshot: SnapshotFrom<M>) => void,
  which?: CorrectionRevision,
): { order: AnyOrder; emitted: Array<EmittedFrom<M>> } {
  let emitted: Array<EmittedFrom<M>> = [];
  const before = core.host.get(level, id)?.overfill ?? 0;
  const order = core.host.change(level, id, event.type, (o) => {
    const r = actors.send(o, event);
    project(o, r.snapshot);
    emitted = r.emitted;
    if (which) o.corrections = { ...o.corrections, [which.execId]: which.revision };
  });
  // A correction that takes an order beyond its trade (or changes how far): held as overfill,
  // positions follow the fills; a trader must know (the reference raises overFilledOrder).
  if (which && which.revision !== LATE_FILL && order.overfill !== before && order.overfill !== 0)
    logCritical(core.log, `${level} order overfilled by a fill correction: positions follow the fills`, {
      order_id: id,
      overfill: [before, order.overfill],
      exec_id: which.execId,
      corrected_by: which.revision,
    });
  return { order, emitted };
}

export function report(core: StackCore, level: string, emitted: ReadonlyArray<{ type: string }>): void {
  for (const e of emitted) {
    if (e.type === 'ignored') core.log.warn({ ...e }, `${level} order: event after completion ignored`);
    else if (e.type === 'overfilled') logCritical(core.log, `${level} order: overfilled`, { ...e });
    else if (e.type === 'completionAmended')
      core.log.warn({ ...e }, `${level} order: completed order amended by a fill correction`);
  }
}

/**
 * Write the family's history again with the corrected orders: the original completion time, the
 * amendments so far and this one (none when the last record lists it already). Tracked like a
 * completion (`settledCompletions` waits for it).
 */
export function amendFamilyHistory(
  core: StackCore,
  io: InstrumentOrder,
  which: CorrectionRevision,
): Promise<void> {
  const { contracts, brokers } = family(core, io);
  // The records as they are now (the await below must not see later changes half made).
  const orders = {
    instrument: withoutMachine(io),
    contracts: contracts.map(withoutMachine),
    brokers: brokers.map(brokerWithoutMachine),
  };
  const at = core.now();
  const done = (async () => {
    const prior = await core.store.lastHistory<{ completedAt?: number; amendments?: Amendment[] }>(
      'instrument',
      io.id,
    );
    const listed = prior?.amendments ?? [];
    if (listed.some((a) => a.execId === which.execId && a.revision === which.revision)) return;
    const amendments = [...listed, { ...which, at }];
    const body = { completedAt: prior?.completedAt ?? at, amendedAt: at, amendments, ...orders };
    await core.store.appendHistory('instrument', io.id, body, `${which.execId}:${which.revision}`);
  })();
  return core.track(done);
}
