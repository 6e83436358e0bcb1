/**
 * The order actors of the stack handler: every broker order on the stack is an xstate actor
 * running machines/broker-order.ts (actors/host/machine-actors.ts). Its state is its machine's
 * state; what the stack shows of it (state, broker status, fill, price, commission) is read off
 * the machine's snapshot here, in one place, after every event. Nothing else sets them.
 */
import type { SnapshotFrom } from 'xstate';
import {
  type BrokerOrderEmitted,
  type BrokerOrderEvent,
  brokerOrderMachine,
} from '../../machines/broker-order.ts';
import { cappedFill } from '../../src/domain/orders/index.ts';
import type { StackCore } from './core.ts';
import { logCritical } from './ports.ts';
import type { BrokerOrder, BrokerOrderState, BrokerOrderStatus } from './types.ts';

type BrokerSnap = SnapshotFrom<typeof brokerOrderMachine>;

export function brokerMachineInput(bo: BrokerOrder, brokerName: string) {
  return {
    order: {
      orderId: String(bo.id),
      parentId: bo.parent === undefined ? null : String(bo.parent),
      strategyName: bo.strategyName,
      instrumentCode: bo.instrumentCode,
      trade: [bo.trade],
      generatedDatetime: bo.createdAt,
      manualTrade: bo.manualTrade,
      rollOrder: bo.rollOrder,
      contractDates: [bo.contractDate],
      orderType: bo.brokerOrderType,
      algoUsed: bo.algoUsed,
      limitPrice: bo.limitPrice ?? null,
      sidePrice: bo.sidePrice ?? null,
      midPrice: bo.midPrice ?? null,
      offsidePrice: bo.offsidePrice ?? null,
      manualFill: bo.manualFill,
      calendarSpreadOrder: false,
      broker: brokerName,
      brokerAccount: '',
      brokerClientId: 0,
      orderRef: bo.orderRef,
    },
  };
}

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
function projectBroker(b: BrokerOrder, s: BrokerSnap): void {
  const c = s.context;
  b.state = s.value;
  b.brokerStatus = STATUS[s.value];
  const { fill, overfill } = cappedFill(b.trade, c.ledger.fill[0] ?? 0);
  b.fill = fill;
  b.overfill = overfill;
  b.filledPrice = c.ledger.filledPrice ?? undefined;
  b.fillDatetime = c.ledger.fillDatetime ?? undefined;
  b.execIds = [...c.ledger.fillIds];
  b.commission = c.ledger.commission;
  b.limitPrice = c.currentLimitPrice ?? undefined;
  b.active = c.active;
  b.locked = c.locked;
}

/** Start the actor of a new broker order and put it on the stack (its first event). */
export function spawnBrokerOrder(core: StackCore, bo: BrokerOrder): void {
  const r = core.brokerActors.start(bo);
  projectBroker(bo, r.snapshot);
  core.host.spawn(bo, 'CREATED');
}

/** Bring a restored broker order's actor up (from its persisted snapshot). */
export function restoreBrokerOrder(core: StackCore, bo: BrokerOrder): void {
  projectBroker(bo, core.brokerActors.start(bo).snapshot);
}

/**
 * Send one event to a broker order's actor: the host records the event (journal, inspection) and
 * the record follows the machine. Returns what the machine emitted; its reports are logged and
 * counted here.
 */
export function sendBroker(
  core: StackCore,
  id: number,
  event: BrokerOrderEvent,
  opts: { defer?: boolean | 'lazy' } = {},
): BrokerOrderEmitted[] {
  let emitted: BrokerOrderEmitted[] = [];
  core.host.change(
    'broker',
    id,
    event.type,
    (b) => {
      const r = core.brokerActors.send(b, event);
      projectBroker(b, r.snapshot);
      emitted = r.emitted;
    },
    opts,
  );
  for (const e of emitted) {
    if (e.type === 'lateFill') core.counters.late_fills++;
    if (e.type === 'overfilled') {
      core.counters.overfills++;
      logCritical(
        core.log,
        'broker order overfilled: positions follow the broker, order capped at its trade',
        {
          ...e,
        },
      );
    } else if (e.type === 'invalidFill') logCritical(core.log, 'broker order: invalid fill', { ...e });
    else if (e.type === 'lateFill' || e.type === 'ignored')
      core.log.warn({ ...e }, `broker order: ${e.type}`);
  }
  return emitted;
}
