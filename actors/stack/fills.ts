import type { BrokerFill } from '../../src/broker/port.ts';
import { ROLL_PSEUDO_STRATEGY, spreadFill } from '../../src/domain/rolls/roll-orders.ts';
import type { StackCore } from './core.ts';
import { stepBrokerMachine } from './broker-machine.ts';
import { logCritical } from './ports.ts';
import type { BrokerOrder, ContractOrder, FillRecord, InstrumentOrder } from './types.ts';

/**
 * Fills (digest §F), redesigned around one rule: a fill is written once, to the fills stream with
 * its execution id as message id, and that single append is the commit point. Positions are the
 * sum of fill records (so "position = sum of fills" survives any crash: F3/F4's two-write gaps do
 * not exist), and order fills are re-derived from their children (F3, F4, F5).
 */

/** Weighted average price (the reference uses an unweighted nanmean; §10 asks us to choose). */
function weighted(prev: number | undefined, prevQty: number, price: number, qty: number): number {
  const a = Math.abs(prevQty);
  const b = Math.abs(qty);
  return a + b === 0 ? price : ((prev ?? 0) * a + price * b) / (a + b);
}

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
}

/** Apply a stored fill record: positions always; orders only if they have not seen it yet. */
export function applyFillRecord(core: StackCore, rec: FillRecord, restoring = false): void {
  core.seenExecIds.add(rec.execId);
  core.applyToPositions(rec);
  core.fillsApplied++;
  if (rec.kind === 'manual-contract' && rec.contractOrderId !== undefined) {
    const co = core.contractOrder(rec.contractOrderId);
    if (co && !co.manualExecIds.includes(rec.execId)) {
      core.host.change(
        'contract',
        co.id,
        'MANUAL_FILL',
        (r) => {
          const c = r as ContractOrder;
          c.manualFill += rec.qty;
          c.manualExecIds.push(rec.execId);
        },
        { defer: true },
      );
    }
    if (co && !restoring) aggregateUp(core, co.id);
    return;
  }
  if (rec.brokerOrderId === undefined) return;
  const bo = core.brokerOrder(rec.brokerOrderId);
  if (!bo) return;
  if (!bo.execIds.includes(rec.execId)) applyToBrokerOrder(core, bo, rec);
  if (!restoring && bo.parent !== undefined) aggregateUp(core, bo.parent);
}

/** F2: the broker order's fill; an overfill is kept apart and logged, never thrown (#1580). */
function applyToBrokerOrder(core: StackCore, bo: BrokerOrder, rec: FillRecord): void {
  const late = bo.brokerStatus === 'cancelled' || bo.brokerStatus === 'cancel-requested';
  if (late) core.counters.late_fills++;
  core.host.change(
    'broker',
    bo.id,
    late ? 'LATE_FILL' : 'FILL',
    (r) => {
      const b = r as BrokerOrder;
      b.execIds.push(rec.execId);
      // A calendar spread: this leg's fill, then the whole spreads filled (first-leg units).
      const leg = b.legs?.findIndex((l) => l.contractDate === rec.contractDate) ?? -1;
      const qty = b.legs ? b.legs.map((_, k) => (k === leg ? rec.qty : 0)) : [rec.qty];
      stepBrokerMachine(
        b,
        { type: 'FILL', fill: { fillId: rec.execId, qty, price: rec.price, datetime: rec.time } },
        core.log,
      );
      if (b.legs && b.legFills && leg >= 0) b.legFills[leg] = (b.legFills[leg] ?? 0) + rec.qty;
      const filled =
        b.legs && b.legFills
          ? spreadFill(
              b.legs.map((l) => l.qty),
              b.legFills,
            )
          : undefined;
      const total = filled ?? b.fill + b.overfill + rec.qty;
      const capped =
        Math.sign(total) === Math.sign(b.trade)
          ? Math.sign(total) * Math.min(Math.abs(total), Math.abs(b.trade))
          : 0;
      if (filled === undefined)
        b.filledPrice = weighted(b.filledPrice, b.fill, rec.price, capped - b.fill || rec.qty);
      b.fill = capped;
      b.overfill = total - capped;
      b.fillDatetime = rec.time;
      if (b.fill === b.trade) {
        b.brokerStatus = 'filled';
        b.state = 'filled';
      } else if (b.fill !== 0 && b.state === 'submitted') b.state = 'partially-filled';
    },
    { defer: true },
  );
  if (bo.overfill !== 0) {
    core.counters.overfills++;
    logCritical(core.log, 'broker order overfilled: positions follow the broker, order capped at its trade', {
      broker_order_id: bo.id,
      trade: bo.trade,
      overfill: bo.overfill,
    });
  }
}

/** F3 then F4/F5: re-derive the contract order's and its parent's fills from their children. */
export function aggregateUp(core: StackCore, contractOrderId: number): void {
  const co = core.contractOrder(contractOrderId);
  if (!co) return;
  aggregateContract(core, co);
  if (co.parent !== undefined) {
    const io = core.instrumentOrder(co.parent);
    if (io) aggregateInstrument(core, io);
  }
}

export function aggregateContract(core: StackCore, co: ContractOrder): void {
  let total = co.manualFill;
  let notional = 0;
  let qty = 0;
  let dt = co.fillDatetime;
  for (const id of co.children) {
    const b = core.brokerOrder(id);
    if (!b) continue;
    total += b.fill;
    if (b.filledPrice !== undefined && b.fill !== 0) {
      notional += b.filledPrice * Math.abs(b.fill);
      qty += Math.abs(b.fill);
    }
    if (b.fillDatetime !== undefined) dt = Math.max(dt ?? 0, b.fillDatetime);
  }
  const capped =
    Math.sign(total) === Math.sign(co.trade)
      ? Math.sign(total) * Math.min(Math.abs(total), Math.abs(co.trade))
      : 0;
  const overfill = total - capped;
  if (capped === co.fill && overfill === co.overfill) return;
  if (overfill !== 0)
    logCritical(core.log, 'contract order overfilled', {
      contract_order_id: co.id,
      trade: co.trade,
      overfill,
    });
  core.host.change(
    'contract',
    co.id,
    'FILL',
    (r) => {
      const c = r as ContractOrder;
      c.fill = capped;
      c.overfill = overfill;
      c.filledPrice = qty > 0 ? notional / qty : c.filledPrice;
      c.fillDatetime = dt;
      if (c.fill === c.trade) c.state = 'filled';
      else if (c.fill !== 0 && c.state !== 'algo-controlled' && c.state !== 'working')
        c.state = 'partially-filled';
    },
    { defer: true },
  );
}

export function aggregateInstrument(core: StackCore, io: InstrumentOrder): void {
  const kids = io.children
    .map((id) => core.contractOrder(id))
    .filter((c): c is ContractOrder => c !== undefined);
  if (kids.length === 0 || io.trade === 0) return; // F4/F5: zero instrument trade, nothing to do
  if (kids.length > 1) {
    const distributed =
      kids.every(
        (c) => c.instrumentCode === io.instrumentCode && Math.sign(c.trade) === Math.sign(io.trade),
      ) && kids.reduce((s, c) => s + c.trade, 0) === io.trade;
    if (!distributed) {
      logCritical(core.log, 'inter-market spread not supported', { instrument_order_id: io.id });
      return;
    }
  }
  const total = kids.reduce((s, c) => s + c.fill, 0);
  const qty = kids.reduce((s, c) => s + Math.abs(c.fill), 0);
  const notional = kids.reduce((s, c) => s + (c.filledPrice ?? 0) * Math.abs(c.fill), 0);
  if (total === io.fill) return;
  core.host.change(
    'instrument',
    io.id,
    'FILL',
    (r) => {
      const i = r as InstrumentOrder;
      i.fill = total;
      i.filledPrice = qty > 0 ? notional / qty : i.filledPrice;
      i.fillDatetime = Math.max(...kids.map((c) => c.fillDatetime ?? 0));
      i.state = i.fill === i.trade ? 'filled' : 'partially-filled';
    },
    { defer: true },
  );
}
