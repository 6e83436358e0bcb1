/**
 * What the stack shows of an order (state, fill, price, children, algo lock, commission), read off
 * its machine's snapshot after every event, in one place (order-actors.ts calls these).
 */
import type { SnapshotFrom } from 'xstate';
import type { brokerOrderMachine } from '../../machines/broker-order.ts';
import type { contractOrderMachine } from '../../machines/contract-order.ts';
import type { instrumentOrderMachine } from '../../machines/instrument-order.ts';
import { spreadFilledPrice, stackFill } from '../../src/domain/orders/index.ts';
import { MANUAL_CHILD } from './order-inputs.ts';
import type {
  AnyOrder,
  BrokerOrder,
  BrokerOrderState,
  BrokerOrderStatus,
  ContractOrder,
  InstrumentOrder,
} from './types.ts';

type BrokerSnap = SnapshotFrom<typeof brokerOrderMachine>;
type ContractSnap = SnapshotFrom<typeof contractOrderMachine>;
type InstrumentSnap = SnapshotFrom<typeof instrumentOrderMachine>;

const STATUS: Record<BrokerOrderState, BrokerOrderStatus> = {
  created: 'pending-submit',
  submitted: 'submitted',
  acknowledged: 'submitted',
  partiallyFilled: 'submitted',
  filled: 'filled',
  cancelPending: 'cancel-requested',
  cancelled: 'cancelled',
  rejected: 'rejected',
};

/** The stack's view of a broker order, read off its machine snapshot. */
export function projectBroker(b: BrokerOrder, s: BrokerSnap): void {
  const c = s.context;
  b.state = s.value;
  b.brokerStatus = STATUS[s.value];
  const { fill, overfill } = stackFill(c.ledger.trade, c.ledger.fill);
  b.fill = fill;
  b.overfill = overfill;
  // A spread's fills come per leg at each contract's price: its price is Σ ratio · leg price.
  b.filledPrice = (b.legs ? spreadFilledPrice(c.ledger) : c.ledger.filledPrice) ?? undefined;
  if (b.legs) b.legFills = [...c.ledger.fill];
  b.fillDatetime = c.ledger.fillDatetime ?? undefined;
  b.execIds = [...c.ledger.fillIds];
  b.commission = c.ledger.commission;
  b.limitPrice = c.currentLimitPrice ?? undefined;
  b.active = c.active;
  b.locked = c.locked;
}

export function projectContract(c: ContractOrder, s: ContractSnap): void {
  const x = s.context;
  c.state = s.value;
  Object.assign(c, stackFill(x.ledger.trade, x.ledger.fill));
  c.filledPrice = (c.legs ? spreadFilledPrice(x.ledger) : x.ledger.filledPrice) ?? undefined;
  c.fillDatetime = x.ledger.fillDatetime ?? undefined;
  const manual = x.children.filter((k) => k.orderId.startsWith(MANUAL_CHILD));
  c.children = x.children.filter((k) => !k.orderId.startsWith(MANUAL_CHILD)).map((k) => Number(k.orderId));
  c.manualFill = manual.reduce((t, k) => t + (k.fill[0] ?? 0), 0);
  c.manualExecIds = manual.map((k) => k.orderId.slice(MANUAL_CHILD.length));
  c.referenceOfControllingAlgo = x.algoControlledBy ?? undefined;
  c.active = x.active;
  c.locked = x.locked;
}

export function projectInstrument(i: InstrumentOrder, s: InstrumentSnap): void {
  const x = s.context;
  i.state = s.value;
  Object.assign(i, stackFill(x.ledger.trade, x.ledger.fill));
  i.filledPrice = x.ledger.filledPrice ?? undefined;
  i.fillDatetime = x.ledger.fillDatetime ?? undefined;
  // A balance trade's pseudo child (`balance:<execId>`) is not a contract order.
  i.children = x.children.filter((k) => !k.orderId.includes(':')).map((k) => Number(k.orderId));
  i.active = x.active;
  i.locked = x.locked;
}

/** What the inspection events say of an order besides its identity (`root`: its family's root). */
export function describeOrder(
  o: AnyOrder,
  root: number | null,
): { root: number | null; state: string; context: Record<string, unknown> } {
  const context: Record<string, unknown> = {
    strategyName: o.strategyName,
    instrumentCode: o.instrumentCode,
    trade: o.trade,
    fill: o.fill,
    overfill: o.overfill,
    filledPrice: o.filledPrice ?? null,
    active: o.active,
    locked: o.locked,
    parent: o.parent ?? null,
    children: o.children,
  };
  if (o.level !== 'instrument') context.contractDate = o.contractDate;
  if (o.level === 'contract') context.algo = o.referenceOfControllingAlgo ?? null;
  if (o.level === 'broker') {
    context.orderRef = o.orderRef;
    context.brokerStatus = o.brokerStatus;
    context.limitPrice = o.limitPrice ?? null;
    context.commission = o.commission ?? null;
  }
  return { root, state: o.state, context };
}
