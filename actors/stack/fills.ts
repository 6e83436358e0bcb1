import type { BrokerFill, BrokerLeg } from '../../src/broker/port.ts';
import { ROLL_PSEUDO_STRATEGY } from '../../src/domain/rolls/roll-orders.ts';
import type { StackCore } from './core.ts';
import type { Fill } from '../../src/domain/orders/index.ts';
import { MANUAL_CHILD, orderLegs, sendBroker, sendContract, sendInstrument } from './order-actors.ts';
import { carryLateFill, restoreLateFill } from './late-fills.ts';
import { logCritical } from './ports.ts';
import type { BrokerOrder, FillRecord } from './types.ts';

/**
 * Fills (digest §F), redesigned around one rule: a fill is written once, to the fills stream with
 * its execution id as message id, and that single append is the commit point. Positions are the
 * sum of fill records (so "position = sum of fills" survives any crash: F3/F4's two-write gaps do
 * not exist), and order fills are re-derived from their children (F3, F4, F5).
 */

/** Match a broker fill to our broker order: orderRef, then temp id, then perm id (digest F1a). */
export function matchBrokerOrder(
  core: StackCore,
  f: { orderRef?: string; tempId?: number; permId?: number },
): BrokerOrder | undefined {
  const byRef = f.orderRef ? core.byOrderRef.get(f.orderRef) : undefined;
  if (byRef !== undefined) return core.brokerOrder(byRef);
  const bos = core.orders('broker');
  return (
    bos.find((b) => f.tempId !== undefined && f.tempId > 0 && b.brokerTempId === f.tempId) ??
    bos.find((b) => f.permId !== undefined && f.permId > 0 && b.brokerPermId === f.permId)
  );
}

/** Record a fill reported by the broker, once; then carry it up the stacks. */
export async function recordBrokerFill(
  core: StackCore,
  fill: BrokerFill,
): Promise<'applied' | 'duplicate' | 'unmatched' | 'foreign'> {
  if (core.seenExecIds.has(fill.execId)) {
    core.counters.duplicate_fills++;
    return 'duplicate';
  }
  const bo = matchBrokerOrder(core, fill);
  if (!bo && !fill.orderRef.startsWith(`${core.deps.prefix}:`)) {
    // Not our order (a trade made elsewhere): not recorded. The external position break check
    // sees it and locks the instrument until a balance trade accounts for it (digest H1, F8).
    if (!core.foreignExecIds.has(fill.execId)) {
      core.foreignExecIds.add(fill.execId);
      logCritical(core.log, 'fill for an order that is not ours: expect a position break', { ...fill });
    }
    return 'foreign';
  }
  core.seenExecIds.add(fill.execId);
  const early = core.pendingCommissions.get(fill.execId);
  const commission =
    fill.commission !== undefined && Number.isFinite(fill.commission)
      ? { commission: fill.commission, commissionCurrency: fill.commissionCurrency ?? '' }
      : early
        ? { commission: early.commission, commissionCurrency: early.currency }
        : {};
  core.pendingCommissions.delete(fill.execId);
  const rec: FillRecord = bo
    ? {
        execId: fill.execId,
        kind: 'broker',
        // F7: Force and Force_Outright roll orders move contract positions, never strategy positions.
        scope: bo.strategyName === ROLL_PSEUDO_STRATEGY ? 'contract' : 'both',
        strategyName: bo.strategyName,
        instrumentCode: bo.instrumentCode,
        // A calendar spread's fills come per leg.
        contractDate: bo.legs ? fill.contractDate : bo.contractDate,
        qty: fill.qty,
        price: fill.price,
        time: fill.time,
        commission: fill.commission,
        brokerOrderId: bo.id,
        contractOrderId: bo.parent,
        instrumentOrderId: bo.parent === undefined ? undefined : core.contractOrder(bo.parent)?.parent,
        orderRef: fill.orderRef,
        ...commission,
      }
    : {
        // A fill for one of our orders no longer on the stack (e.g. after end of day): the broker
        // traded, so the contract position moves; no strategy takes it, which shows as an
        // internal break until a balance instrument trade.
        execId: fill.execId,
        kind: 'unmatched',
        scope: 'contract',
        instrumentCode: fill.instrumentCode,
        contractDate: fill.contractDate,
        qty: fill.qty,
        price: fill.price,
        time: fill.time,
        orderRef: fill.orderRef,
        ...commission,
      };
  if (!bo) {
    core.counters.unmatched_fills++;
    logCritical(core.log, 'fill for an order not on the stack: contract position changed, no strategy', {
      ...fill,
    });
  }
  await commitFill(core, rec);
  return bo ? 'applied' : 'unmatched';
}

/** Write a fill record (the commit point), then apply it in memory. */
export async function commitFill(core: StackCore, rec: FillRecord): Promise<void> {
  core.seenExecIds.add(rec.execId);
  try {
    await core.store.appendFill(rec.instrumentCode, rec.execId, rec);
  } catch (err) {
    core.seenExecIds.delete(rec.execId);
    throw err;
  }
  applyFillRecord(core, rec);
  // Every fill at info (the day's trading reads from these lines), with the reference's keys.
  core.log.info(
    {
      strategy_name: rec.strategyName,
      instrument_code: rec.instrumentCode,
      contract_date: rec.contractDate,
      fill_kind: rec.kind,
      qty: rec.qty,
      price: rec.price,
      commission: rec.commission,
      broker_order_id: rec.brokerOrderId,
      contract_order_id: rec.contractOrderId,
      instrument_order_id: rec.instrumentOrderId,
      exec_id: rec.execId,
    },
    `fill ${rec.qty > 0 ? '+' : ''}${rec.qty} ${rec.instrumentCode}${rec.contractDate ? ` ${rec.contractDate}` : ''} at ${rec.price}`,
  );
  // A commission that came while the fill was being written is joined now.
  const early = core.pendingCommissions.get(rec.execId);
  if (early) await recordCommission(core, { execId: rec.execId, ...early });
}

/**
 * A commission reported by the broker (IB commissionReport), joined to its fill by execution id:
 * written to the fills stream beside the fill record (readers get it joined, see
 * OrderEventStore.loadFills) and sent to the broker order's actor (COMMISSION). One that comes
 * before its fill waits for it; a second report for the same execution changes nothing.
 */
export async function recordCommission(
  core: StackCore,
  c: { execId: string; commission: number; currency: string },
): Promise<'joined' | 'pending' | 'duplicate' | 'invalid'> {
  if (!Number.isFinite(c.commission)) {
    core.log.warn({ exec_id: c.execId, commission: c.commission }, 'commission is not a number: ignored');
    return 'invalid';
  }
  const f = core.fillIndex.get(c.execId);
  if (!f) {
    core.pendingCommissions.set(c.execId, { commission: c.commission, currency: c.currency });
    return 'pending';
  }
  core.pendingCommissions.delete(c.execId);
  if (f.commission !== undefined) return 'duplicate';
  f.commission = c.commission;
  f.rec.commission = c.commission;
  f.rec.commissionCurrency = c.currency;
  await core.store.appendCommission(f.instrumentCode, c.execId, c.commission, c.currency, f.revision);
  // The broker order's ledger adds commissions: a corrected fill's new commission is on the record.
  if (f.revision === undefined && f.brokerOrderId !== undefined && core.brokerOrder(f.brokerOrderId))
    sendBroker(
      core,
      f.brokerOrderId,
      { type: 'COMMISSION', fillId: c.execId, commission: c.commission },
      { defer: true },
    );
  return 'joined';
}

/**
 * Apply a stored fill record: positions always; then the fill goes to its order's actor as an
 * event (broker order FILL, or a contract order's manual child) and travels up from there. On a
 * restore (`restoring`) the fill is replayed to every level on its own: the three appends a fill
 * makes (broker FILL, contract and instrument CHILD_FILL) are deferred and pipelined per actor, so
 * a kill -9 can keep any subset of them (e.g. the contract order's only: its broker order's
 * replayed FILL then stops at the contract order, which holds it, and never reaches the instrument
 * order). Each order's fills are thus re-derived from the fills stream, the one commit point; the
 * machines and `hasChildFill` make every level's replay a no-op where the fill is held.
 */
export function applyFillRecord(core: StackCore, rec: FillRecord, restoring = false): void {
  core.seenExecIds.add(rec.execId);
  core.fillIndex.set(rec.execId, {
    instrumentCode: rec.instrumentCode,
    rec,
    ...(rec.brokerOrderId === undefined ? {} : { brokerOrderId: rec.brokerOrderId }),
    ...(rec.commission === undefined ? {} : { commission: rec.commission }),
    ...(rec.correctedBy === undefined ? {} : { revision: rec.correctedBy }),
  });
  core.applyToPositions(rec);
  core.fillsApplied++;
  if (rec.kind === 'manual-contract' && rec.contractOrderId !== undefined) {
    const co = core.contractOrder(rec.contractOrderId);
    if (!co) return;
    const fill = fillOf(rec, co.legs);
    if (!co.manualExecIds.includes(rec.execId)) {
      const childId = `${MANUAL_CHILD}${rec.execId}`;
      const child = { orderId: childId, trade: fill.qty, contractDates: orderLegs(co).contractDates };
      sendContract(core, co.id, { type: 'BROKER_ORDER_CREATED', child }, { defer: true });
      sendContract(core, co.id, { type: 'CHILD_FILL', childId, fill }, { defer: true });
    }
    if (restoring) replayToInstrumentOrder(core, co.id, fill);
    return;
  }
  if (rec.brokerOrderId === undefined) return;
  const bo = core.brokerOrder(rec.brokerOrderId);
  if (!bo) return;
  const fill = fillOf(rec, bo.legs);
  if (!bo.execIds.includes(rec.execId)) {
    // A fill after its family completed goes to the completed orders from late-fills.ts.
    const late = bo.parent !== undefined && core.contractOrder(bo.parent)?.active === false;
    sendBroker(core, bo.id, { type: 'FILL', fill }, { defer: true });
    if (late) carryLateFill(core, bo, fill);
  }
  if (!restoring || bo.parent === undefined) return;
  // A late fill its completed contract order's or instrument order's record lacks (a crash lost
  // that append): carried to the orders lacking it (late-fills.ts).
  const co = core.contractOrder(bo.parent);
  if (co?.active === false) {
    restoreLateFill(core, bo, co, fill);
    return;
  }
  sendContract(core, bo.parent, { type: 'CHILD_FILL', childId: String(bo.id), fill }, { defer: true });
  replayToInstrumentOrder(core, bo.parent, fill);
}

/** On a restore: a contract order's fill to its instrument order, which may not have written it. */
function replayToInstrumentOrder(core: StackCore, contractOrderId: number, fill: Fill): void {
  const co = core.contractOrder(contractOrderId);
  if (co?.parent === undefined) return;
  const event = { type: 'CHILD_FILL' as const, childId: String(co.id), fill };
  sendInstrument(core, co.parent, event, { defer: true });
}

/**
 * A fill record as the machines' fill: one leg, or for a calendar spread (an order with `legs`)
 * this fill's quantity at its contract's leg and zero at the others (IB reports spreads per leg).
 */
export function fillOf(rec: FillRecord, legs?: readonly BrokerLeg[]): Fill {
  return {
    fillId: rec.execId,
    qty: legs ? legs.map((l) => (l.contractDate === rec.contractDate ? rec.qty : 0)) : [rec.qty],
    price: rec.price,
    datetime: rec.time,
    ...(rec.commission === undefined ? {} : { commission: rec.commission }),
  };
}
