/**
 * Late fills: a fill that reached a broker order after its contract order completed (a fill after
 * the family completed, or one beyond the family's trade, e.g. of an order given up as never
 * placed). Positions took it with the fill record (the commit point); the completed contract order,
 * then the instrument order (completed or live), take it as a child fill, each order's step one
 * append; a completed instrument order marks it taken (`corrections[execId] = 'fill'`, in the same
 * append) and its family's history is amended (amendment `{execId, revision: 'fill'}`).
 *
 * Those are three writes on three subjects (contract order, instrument order, history), so a crash
 * can keep any prefix of them. A restore carries the fill to each order lacking it (the contract
 * order, then the instrument order, each read off its record's machine context) and, once the
 * orders are restored, rewrites a history record that lacks an amendment the instrument order
 * holds (`rewriteLostAmendments`), once.
 */
import type { StackCore } from './core.ts';
import { amendFamilyHistory, LATE_FILL, report, stepOne } from './late-corrections.ts';
import { sendInstrument } from './order-actors.ts';
import { projectContract, projectInstrument } from './order-projections.ts';
import { logCritical } from './ports.ts';
import type { BrokerOrder, ContractOrder, InstrumentOrder } from './types.ts';
import type { Fill } from '../../src/domain/orders/index.ts';

/**
 * A late fill on its way up: the completed contract order takes it as a child fill, then its
 * instrument order. Beyond the trade it is held as overfill, as any overfill; a completed
 * instrument order's history is amended, and a critical alert says what happened.
 */
export function carryLateFill(core: StackCore, bo: BrokerOrder, fill: Fill): void {
  const co = bo.parent === undefined ? undefined : core.contractOrder(bo.parent);
  if (!co || co.active) return;
  logCritical(
    core.log,
    'fill after its family completed: held on the completed orders (overfill beyond the trade)',
    {
      broker_order_id: bo.id,
      contract_order_id: co.id,
      exec_id: fill.fillId,
      qty: fill.qty,
    },
  );
  const event = { type: 'CHILD_FILL' as const, childId: String(bo.id), fill };
  const r = stepOne(core, 'contract', co.id, event, core.contractActors, projectContract);
  core.contractActors.stop(co);
  report(core, 'contract', r.emitted);
  if (r.emitted.some((e) => e.type === 'fillApplied')) carryToInstrumentOrder(core, co, fill);
}

/**
 * On a restore: a fill of a broker order whose contract order completed, carried to the orders of
 * the family whose records lack it (a crash lost their appends): the contract order (and from it
 * the instrument order), or the instrument order alone when the contract order's append landed.
 */
export function restoreLateFill(core: StackCore, bo: BrokerOrder, co: ContractOrder, fill: Fill): void {
  if (!heldChildFill(co, fill.fillId)) carryLateFill(core, bo, fill);
  else carryToInstrumentOrder(core, co, fill);
}

/** A completed contract order's late fill to its instrument order, unless that holds it already. */
function carryToInstrumentOrder(core: StackCore, co: ContractOrder, fill: Fill): void {
  const io = co.parent === undefined ? undefined : core.instrumentOrder(co.parent);
  if (!io) return;
  const up = { type: 'CHILD_FILL' as const, childId: String(co.id), fill };
  // A live instrument order's machine ignores a child fill it holds (sendInstrument checks).
  if (io.active) {
    sendInstrument(core, io.id, up);
    return;
  }
  // A completed one would amend its completion again: only one lacking the fill takes it.
  if (heldChildFill(io, fill.fillId)) return;
  const which = { execId: fill.fillId, revision: LATE_FILL };
  const i = stepOne(core, 'instrument', io.id, up, core.instrumentActors, projectInstrument, which);
  core.instrumentActors.stop(io);
  report(core, 'instrument', i.emitted);
  if (i.emitted.some((e) => e.type === 'completionAmended')) void amendFamilyHistory(core, io, which);
}

/** Whether a stopped order's record (its machine's stored context) holds a child fill, read as is. */
export function heldChildFill(o: { machine?: unknown }, fillId: string): boolean {
  const ids = (o.machine as { context?: { childFillIds?: unknown } } | undefined)?.context?.childFillIds;
  return Array.isArray(ids) && ids.includes(fillId);
}

/** What a history record keeps of the instrument order: the amendments it had taken. */
interface HistoryMarks {
  instrument?: Pick<InstrumentOrder, 'corrections'>;
}

/**
 * After a restore: completed instrument orders that took a late fill or a correction (marked in
 * `corrections`, in the same append as the machine's step) whose family's last history record does
 * not show it (its instrument record's marks lack it): the amended history record a crash lost is
 * written again, once per amendment (amendFamilyHistory lists it; its message id dedupes). Only
 * orders with marks are read, one history record each. Returns the amendments written again.
 */
export async function rewriteLostAmendments(core: StackCore): Promise<number> {
  // Amendments started by this restore (a late fill carried again) land first.
  await core.settledCompletions();
  let n = 0;
  for (const io of core.orders('instrument')) {
    if (io.active || !io.corrections || Object.keys(io.corrections).length === 0) continue;
    const prior = await core.store.lastHistory<HistoryMarks>('instrument', io.id);
    // No history yet: the completion itself was cut; handle_completed_orders writes it whole.
    if (!prior) continue;
    const had = prior.instrument?.corrections ?? {};
    for (const [execId, revision] of Object.entries(io.corrections)) {
      if (had[execId] === revision) continue;
      core.log.warn(
        { instrument_order_id: io.id, exec_id: execId, revision },
        'amended history record lost before a restart: written again',
      );
      await amendFamilyHistory(core, io, { execId, revision });
      n++;
    }
  }
  return n;
}
