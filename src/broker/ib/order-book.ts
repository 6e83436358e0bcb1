/**
 * What the IB adapter knows of its orders (stack-notes §1.3; peers §2.4 "BrokerTrade"): orders
 * keyed by orderRef (our idempotency key) with IB's orderId and permId, their statuses, and what
 * their fills (fill-ledger.ts: deduplicated and corrected by execId, commissions joined) make.
 *
 * No I/O: the adapter feeds it IB's events and forwards the BrokerEvents it returns.
 */
import { isFinished } from '../orders.ts';
import type { BrokerEvent, BrokerFill, BrokerOrderState, BrokerOrderStatus, ContractId } from '../port.ts';
import { IbFillLedger } from './fill-ledger.ts';

export interface IbOrderRecord {
  orderRef: string;
  orderId: number;
  permId: number;
  contract: ContractId;
  /** Signed quantity of the order. */
  qty: number;
  status: BrokerOrderStatus;
  filledQty: number;
  avgFillPrice: number | undefined;
  submittedAt: number;
  rejectReason?: string;
  /**
   * A combo (BAG) order: `qty` counts combos and each leg trades `ratio` (signed) per combo.
   * Empty when IB reported a combo whose legs this session cannot name (found after a restart).
   */
  legs?: ComboLeg[];
  /**
   * Known only from its executions (placed before a restart, no longer open at TWS): kept so its
   * orderRef is never placed again; `qty` is what its fills add up to; no statuses are reported.
   */
  learned?: boolean;
}

/** One leg of a combo order: our contract and the signed quantity it trades per combo. */
export type ComboLeg = ContractId & { ratio: number };

export interface IbExecution {
  execId: string;
  orderId: number;
  permId: number;
  orderRef: string;
  contract: ContractId;
  /** Signed quantity (BOT positive, SLD negative), in our units. */
  qty: number;
  /** Our price (magnifier applied). */
  price: number;
  time: number;
}

/** IB status strings → ours (ib_async DoneStates / ActiveStates; PendingCancel can still fill). */
export function ibStatus(status: string, filled: number, remaining: number): BrokerOrderStatus {
  switch (status) {
    case 'Filled':
      return 'filled';
    case 'Cancelled':
    case 'ApiCancelled':
      return 'cancelled';
    case 'Inactive':
      return 'rejected';
    case 'PendingCancel':
      return 'cancel-pending';
    case 'PendingSubmit':
    case 'ApiPending':
      return 'submitted';
    default:
      return filled > 0 && remaining > 0 ? 'partially-filled' : 'acknowledged';
  }
}

export class IbOrderBook {
  private readonly byRef = new Map<string, IbOrderRecord>();
  private readonly refByOrderId = new Map<number, string>();
  private readonly refByPermId = new Map<number, string>();
  private readonly ledger = new IbFillLedger();
  private readonly lastReported = new Map<string, string>();

  add(order: IbOrderRecord): void {
    this.byRef.set(order.orderRef, order);
    this.refByOrderId.set(order.orderId, order.orderRef);
    if (order.permId > 0) this.refByPermId.set(order.permId, order.orderRef);
  }

  get(orderRef: string): IbOrderRecord | undefined {
    return this.byRef.get(orderRef);
  }

  byOrderId(orderId: number): IbOrderRecord | undefined {
    const ref = this.refByOrderId.get(orderId);
    return ref === undefined ? undefined : this.byRef.get(ref);
  }

  all(): IbOrderRecord[] {
    return [...this.byRef.values()];
  }

  maxOrderId(): number {
    let m = 0;
    for (const id of this.refByOrderId.keys()) m = Math.max(m, id);
    return m;
  }

  /** An openOrder report: learn orders placed before a restart (found by orderRef). */
  openOrder(
    o: Omit<IbOrderRecord, 'status' | 'filledQty' | 'avgFillPrice'> & { ibStatus: string },
  ): BrokerEvent[] {
    const known = this.byRef.get(o.orderRef);
    const rec: IbOrderRecord = known ?? {
      ...o,
      status: 'acknowledged',
      filledQty: 0,
      avgFillPrice: undefined,
    };
    if (rec.learned) {
      // Open at TWS after all: its own report gives its size and legs.
      delete rec.learned;
      rec.qty = o.qty;
      rec.contract = o.contract;
      if (o.legs) rec.legs = o.legs;
      else delete rec.legs;
    }
    if (!rec.legs && o.legs) rec.legs = o.legs;
    rec.orderId = o.orderId;
    if (o.permId > 0) rec.permId = o.permId;
    this.add(rec);
    const status = ibStatus(o.ibStatus, rec.filledQty, Math.abs(rec.qty) - rec.filledQty);
    if (status === 'filled') rec.filledQty = Math.abs(rec.qty);
    return this.setStatus(rec, status);
  }

  orderStatus(
    orderId: number,
    ib: string,
    filled: number,
    remaining: number,
    avg: number,
    permId: number,
  ): BrokerEvent[] {
    const rec = this.byOrderId(orderId);
    if (!rec) return [];
    if (permId > 0 && rec.permId !== permId) {
      rec.permId = permId;
      this.refByPermId.set(permId, rec.orderRef);
    }
    rec.filledQty = Math.max(rec.filledQty, filled);
    if (avg > 0) rec.avgFillPrice = avg;
    return this.setStatus(rec, ibStatus(ib, filled, remaining));
  }

  rejected(orderId: number, reason: string): BrokerEvent[] {
    const rec = this.byOrderId(orderId);
    if (!rec || isFinished(rec.status)) return [];
    rec.rejectReason = reason;
    return this.setStatus(rec, 'rejected');
  }

  /**
   * An execution: a new execId gives a fill event; a repeat is dropped; a correction replaces
   * the fill it corrects (event with the corrected values, same execId prefix).
   */
  execution(e: IbExecution): BrokerEvent[] {
    const known = this.ledger.known(e);
    if (known) return known;
    let rec = this.byRef.get(e.orderRef) ?? this.byOrderId(e.orderId);
    if (!rec && e.orderRef !== '') {
      rec = {
        orderRef: e.orderRef,
        orderId: e.orderId,
        permId: e.permId,
        contract: e.contract,
        qty: 0,
        status: 'acknowledged',
        filledQty: 0,
        avgFillPrice: undefined,
        submittedAt: e.time,
        learned: true,
      };
      this.add(rec);
    }
    const fill: BrokerFill = {
      execId: e.execId,
      orderRef: rec?.orderRef ?? e.orderRef,
      tempId: e.orderId,
      permId: e.permId,
      instrumentCode: e.contract.instrumentCode,
      contractDate: e.contract.contractDate,
      qty: e.qty,
      price: e.price,
      time: e.time,
    };
    this.ledger.add(fill);
    const events: BrokerEvent[] = [{ type: 'fill', fill: { ...fill } }];
    if (rec?.learned) {
      if (
        !rec.legs &&
        fill.instrumentCode === rec.contract.instrumentCode &&
        fill.contractDate === rec.contract.contractDate
      )
        rec.qty += fill.qty;
      rec.filledQty = Math.abs(rec.qty);
      return events;
    }
    if (rec) rec.filledQty = Math.max(rec.filledQty, Math.min(Math.abs(rec.qty), this.filledByFills(rec)));
    // Fills are the facts: a fully filled order is filled even if no final status ever comes.
    if (rec && rec.filledQty >= Math.abs(rec.qty) && !isFinished(rec.status))
      events.push(...this.setStatus(rec, 'filled'));
    return events;
  }

  /**
   * How much of an order its fills make: contracts for a single-contract order; for a combo, the
   * combos every leg has filled (IB reports a combo's executions leg by leg).
   */
  private filledByFills(rec: IbOrderRecord): number {
    const mine = this.fills(0).filter((f) => f.orderRef === rec.orderRef);
    if (!rec.legs) return mine.reduce((s, f) => s + Math.abs(f.qty), 0);
    if (rec.legs.length === 0) return 0; // legs unknown: IB's order status says
    const perLeg = rec.legs.map((l) => {
      const done = mine
        .filter((f) => f.instrumentCode === l.instrumentCode && f.contractDate === l.contractDate)
        .reduce((s, f) => s + Math.abs(f.qty), 0);
      return Math.floor(done / Math.abs(l.ratio));
    });
    return Math.min(...perLeg);
  }

  /** IB's execution of a combo as a whole (secType BAG): a learned order is a combo of that size. */
  comboExecution(orderRef: string, cumQty: number): void {
    const rec = this.byRef.get(orderRef);
    if (!rec?.learned) return;
    rec.legs = [];
    rec.qty = cumQty;
    rec.filledQty = cumQty;
  }

  /** Orders known only from executions and not open at TWS are done. */
  settleLearned(openRefs: ReadonlySet<string>): void {
    for (const rec of this.byRef.values())
      if (rec.learned && !openRefs.has(rec.orderRef)) rec.status = 'filled';
  }

  /** A commission report: attached to its fill, or kept until the fill arrives. */
  commission(execId: string, commission: number, currency: string): BrokerEvent[] {
    return this.ledger.commission(execId, commission, currency);
  }

  /** Current fills (corrections applied), from a time on. */
  fills(since: number): BrokerFill[] {
    return this.ledger.fills(since);
  }

  state(rec: IbOrderRecord): BrokerOrderState {
    const total = Math.abs(rec.qty);
    return {
      orderRef: rec.orderRef,
      tempId: rec.orderId,
      permId: rec.permId,
      status: rec.status,
      filledQty: rec.filledQty,
      remainingQty:
        isFinished(rec.status) && rec.status !== 'filled' ? 0 : Math.max(0, total - rec.filledQty),
      avgFillPrice: rec.avgFillPrice,
      ...(rec.rejectReason === undefined ? {} : { rejectReason: rec.rejectReason }),
    };
  }

  private setStatus(rec: IbOrderRecord, status: BrokerOrderStatus): BrokerEvent[] {
    // A finished order stays finished (late duplicates of earlier statuses are dropped).
    if (isFinished(rec.status) && !isFinished(status)) return [];
    const key = `${status}/${rec.filledQty}/${rec.permId}`;
    if (this.lastReported.get(rec.orderRef) === key) return [];
    this.lastReported.set(rec.orderRef, key);
    rec.status = status;
    return [{ type: 'order-status', state: this.state(rec) }];
  }
}
