/**
 * A broker's correction of a fill (IB `fill-corrected`) that arrives after the fill's family
 * completed. The broker order (never final) takes FILL_CORRECTED as usual (fills.ts); a completed
 * contract or instrument order's actor was stopped at completion (its record keeps the machine's
 * snapshot, the last message of its journal subject), and the live event path (`sendContract`,
 * `sendInstrument`) sends nothing to an inactive order. Here the correction goes up on its own:
 * each completed order's actor is started again from its snapshot, takes CHILD_FILL_CORRECTED in
 * its machine (`completed` is not final: fill and price amended, `completionAmended` reported),
 * the step is journalled at once like any step, and the actor is stopped again. The instrument
 * order's `completionAmended` rewrites the family's history record (its message id carries the
 * execution id and the correcting execution id, so a repeated correction writes nothing new);
 * readers take an order's last history record, so reports show the corrected figures.
 */
import type { EmittedFrom } from 'xstate';
import type { BrokerOrderEmitted } from '../../machines/broker-order.ts';
import type { ContractOrderEvent, contractOrderMachine } from '../../machines/contract-order.ts';
import type { InstrumentOrderEvent, instrumentOrderMachine } from '../../machines/instrument-order.ts';
import { brokerWithoutMachine, family, withoutMachine } from './family-records.ts';
import type { StackCore } from './core.ts';
import { sendInstrument } from './order-actors.ts';
import { projectContract, projectInstrument } from './order-projections.ts';
import type { InstrumentOrder } from './types.ts';

type ContractCorrection = Extract<ContractOrderEvent, { type: 'CHILD_FILL_CORRECTED' }>;
type InstrumentCorrection = Extract<InstrumentOrderEvent, { type: 'CHILD_FILL_CORRECTED' }>;

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
 * After a broker order took FILL_CORRECTED: a `fillCorrected` whose contract order has completed
 * goes up from here (a live contract order took it already, through order-actors.ts).
 */
export function correctCompletedOrders(
  core: StackCore,
  emitted: readonly BrokerOrderEmitted[],
  which: CorrectionRevision,
): void {
  for (const e of emitted) {
    if (e.type !== 'fillCorrected' || e.parentId === null) continue;
    const co = core.contractOrder(Number(e.parentId));
    if (!co || co.active) continue;
    const event: ContractCorrection = {
      type: 'CHILD_FILL_CORRECTED',
      childId: e.orderId,
      original: e.original,
      corrected: e.corrected,
    };
    for (const c of stepCompletedContract(core, co.id, event)) {
      if (c.type !== 'fillCorrected' || c.parentId === null) continue;
      const up: InstrumentCorrection = {
        ...event,
        childId: c.orderId,
        original: c.original,
        corrected: c.corrected,
      };
      correctInstrumentOrder(core, Number(c.parentId), up, which);
    }
  }
}

/** A contract order's correction to its instrument order, live or completed. */
function correctInstrumentOrder(
  core: StackCore,
  id: number,
  event: InstrumentCorrection,
  which: CorrectionRevision,
): void {
  const io = core.instrumentOrder(id);
  if (!io) return;
  if (io.active) {
    sendInstrument(core, id, event);
    return;
  }
  for (const e of stepCompletedInstrument(core, id, event))
    if (e.type === 'completionAmended') void amendFamilyHistory(core, io, which);
}

/** One event to a completed contract order: its actor from its snapshot, journalled, stopped again. */
function stepCompletedContract(
  core: StackCore,
  id: number,
  event: ContractCorrection,
): Array<EmittedFrom<typeof contractOrderMachine>> {
  let emitted: Array<EmittedFrom<typeof contractOrderMachine>> = [];
  const co = core.host.change('contract', id, event.type, (order) => {
    const r = core.contractActors.send(order, event);
    projectContract(order, r.snapshot);
    emitted = r.emitted;
  });
  core.contractActors.stop(co);
  report(core, 'contract', emitted);
  return emitted;
}

/** One event to a completed instrument order, as for a contract order. */
function stepCompletedInstrument(
  core: StackCore,
  id: number,
  event: InstrumentCorrection,
): Array<EmittedFrom<typeof instrumentOrderMachine>> {
  let emitted: Array<EmittedFrom<typeof instrumentOrderMachine>> = [];
  const io = core.host.change('instrument', id, event.type, (order) => {
    const r = core.instrumentActors.send(order, event);
    projectInstrument(order, r.snapshot);
    emitted = r.emitted;
  });
  core.instrumentActors.stop(io);
  report(core, 'instrument', emitted);
  return emitted;
}

function report(core: StackCore, level: string, emitted: ReadonlyArray<{ type: string }>): void {
  for (const e of emitted) {
    if (e.type === 'ignored') core.log.warn({ ...e }, `${level} order: correction after completion ignored`);
    else if (e.type === 'completionAmended')
      core.log.warn({ ...e }, `${level} order: completed order amended by a fill correction`);
  }
}

/**
 * Write the family's history again with the corrected orders: the original completion time, the
 * amendments so far and this one. Tracked like a completion (`settledCompletions` waits for it).
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
    const amendments = [...(prior?.amendments ?? []), { ...which, at }];
    const body = { completedAt: prior?.completedAt ?? at, amendedAt: at, amendments, ...orders };
    await core.store.appendHistory('instrument', io.id, body, `${which.execId}:${which.revision}`);
  })();
  return core.track(done);
}
