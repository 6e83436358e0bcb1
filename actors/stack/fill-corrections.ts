/**
 * A broker's correction of a fill (IB `fill-corrected`), joined to its fill record by execution id
 * (the fills stream) and carried to the orders as machine events (FILL_CORRECTED up the family; a
 * completed family through late-corrections.ts).
 */
import type { BrokerFill } from '../../src/broker/port.ts';
import type { StackCore } from './core.ts';
import { fillOf, recordBrokerFill } from './fills.ts';
import { algoHearsCorrection } from './algo-charge.ts';
import { settleCorrection } from './late-corrections.ts';
import type { FillRecord, PendingCorrection } from './types.ts';

/**
 * A broker's correction of a fill (IB `fill-corrected`: same execution, later execution id, new
 * quantity, price or time; its commission reported again): joined to the fill record by execution
 * id. Stored beside the fill (OrderEventStore.appendCorrection, so every reader of the fills gets
 * the corrected record: positions, P&L, trade reports), the positions moved by the difference,
 * the commission cleared until the corrected one is reported. A correction of a fill not seen yet
 * is recorded as that fill, with the corrected values. The correction then travels up the
 * family as machine events (FILL_CORRECTED, CHILD_FILL_CORRECTED), also after the family
 * completed (late-corrections.ts), so every order's fill and price equal the corrected fills.
 */
export async function recordFillCorrection(
  core: StackCore,
  fill: BrokerFill,
): Promise<'corrected' | 'duplicate' | 'recorded' | 'foreign' | 'unmatched'> {
  const f = core.fillIndex.get(fill.execId);
  if (!f) {
    const r = await recordBrokerFill(core, { ...fill });
    return r === 'applied' ? 'recorded' : r === 'duplicate' ? 'duplicate' : r;
  }
  const revision = fill.correctedBy ?? fill.execId;
  if (f.revision === revision) return 'duplicate';
  const old = f.rec;
  const corrected = {
    correctionOf: fill.execId,
    correctedBy: revision,
    qty: fill.qty,
    price: fill.price,
    time: fill.time,
    ...(fill.commission === undefined
      ? {}
      : { commission: fill.commission, commissionCurrency: fill.commissionCurrency ?? '' }),
  };
  const rec: FillRecord = {
    ...old,
    qty: fill.qty,
    price: fill.price,
    time: fill.time,
    correctedBy: revision,
  };
  delete rec.commission;
  delete rec.commissionCurrency;
  if (fill.commission !== undefined) {
    rec.commission = fill.commission;
    rec.commissionCurrency = fill.commissionCurrency ?? '';
  }
  // The family's machines take it as events (late-corrections.ts): FILL_CORRECTED at the broker
  // order, CHILD_FILL_CORRECTED above, live or completed. Written ahead on the broker order first,
  // so a crash between the fill record and the orders' events is finished by the restore.
  const bo = old.brokerOrderId === undefined ? undefined : core.brokerOrder(old.brokerOrderId);
  const pending: PendingCorrection | undefined = bo?.execIds.includes(old.execId)
    ? { execId: fill.execId, revision, original: fillOf(old, bo.legs), corrected: fillOf(rec, bo.legs) }
    : undefined;
  if (bo && pending) {
    core.host.change('broker', bo.id, 'CORRECTION_PENDING', (b) => {
      b.correcting = pending;
    });
    await core.host.durable('broker', bo.id);
  }
  await core.store.appendCorrection(old.instrumentCode, corrected);
  core.applyToPositions({ ...old, qty: fill.qty - old.qty });
  core.fillIndex.set(fill.execId, {
    instrumentCode: rec.instrumentCode,
    rec,
    revision,
    ...(rec.brokerOrderId === undefined ? {} : { brokerOrderId: rec.brokerOrderId }),
    ...(rec.commission === undefined ? {} : { commission: rec.commission }),
  });
  if (bo && pending) await settleCorrection(core, bo.id, pending);
  // A live broker order the correction filled: its algo hears it and ends (D4a, algo-charge.ts).
  if (bo && pending) algoHearsCorrection(core, bo.id);
  core.log.warn(
    {
      exec_id: fill.execId,
      corrected_by: revision,
      qty: [old.qty, fill.qty],
      price: [old.price, fill.price],
    },
    'fill corrected by the broker',
  );
  return 'corrected';
}
