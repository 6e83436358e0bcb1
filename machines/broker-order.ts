/**
 * Broker order machine: what went to the broker (digest §1.3, §2 F1–F2; peers.md §1.1, the
 * NautilusTrader order state table).
 *
 * Public API
 * - `brokerOrderMachine`, started with `BrokerOrderInput` (the order's fields; the host creates
 *   it when an algo emits `placeBrokerOrder`, before it calls the broker).
 * - `BrokerOrderEvent`: SUBMITTED (the broker took the order: temp id, submit time), SUBMIT_FAILED,
 *   ACKNOWLEDGED (perm id), FILL (an execution, keyed by its execution id), COMMISSION (joined by
 *   fill id, may come later), FILL_CORRECTED (the broker's correction of an applied fill: the
 *   ledger as if the corrected fill had come; the lifecycle state stays), MODIFIED (new working limit), CANCEL_REQUESTED, CANCEL_REJECTED,
 *   CANCELLED, REJECTED, BROKER_MESSAGE (appended to the algo comment), DEACTIVATE (family
 *   completed; one-way), LOCK / UNLOCK (the `locked` flag).
 * - `BrokerOrderEmitted`: `fillApplied` (forward to the parent contract order and the algo),
 *   `fillCorrected`,
 *   `filled`, `cancelled`, `rejected`, `cancelFailed`, and the reports `overfilled`, `lateFill`,
 *   `duplicateFill`, `invalidFill`, `ignored`.
 *
 * States: created → submitted → acknowledged → partiallyFilled → filled; cancelPending →
 * cancelled; rejected. "Impossible" events are handled on purpose: a fill after a cancel (or a
 * reject) is applied and reported as `lateFill`; a failed cancel returns the order to where it was
 * working; a fill beyond the trade is applied and raised as `overfilled`; a fill id already applied
 * changes nothing. No state is final: a late fill can arrive at any time (#1580); the host archives
 * the order at end of day.
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import {
  addCommission,
  applyFill,
  correctFill,
  emptyLedger,
  type Fill,
  type FillLedger,
  isFullyFilled,
  isZeroQty,
} from '../src/domain/orders/index.ts';
import type {
  BrokerOrderContext,
  BrokerOrderEmitted,
  BrokerOrderEvent,
  BrokerOrderInput,
} from './support/broker-order-types.ts';

export type {
  BrokerOrderContext,
  BrokerOrderEmitted,
  BrokerOrderEvent,
  BrokerOrderInput,
} from './support/broker-order-types.ts';

type Ctx = BrokerOrderContext;

function afterFill(ctx: Ctx, fill: Fill): FillLedger {
  return applyFill(ctx.ledger, fill).ledger;
}

export const brokerOrderMachine = setup({
  types: {
    context: {} as BrokerOrderContext,
    events: {} as BrokerOrderEvent,
    input: {} as BrokerOrderInput,
    emitted: {} as BrokerOrderEmitted,
  },
  actions: {
    applyFill: enqueueActions(({ context, event, enqueue }, params: { late?: 'cancel' | 'reject' }) => {
      if (event.type !== 'FILL') return;
      const { orderId, parentId, orderRef } = context.order;
      const fillId = event.fill.fillId;
      const r = applyFill(context.ledger, event.fill);
      const o = r.outcome;
      if (o.kind === 'duplicate') {
        enqueue.emit({ type: 'duplicateFill', orderId, fillId });
        return;
      }
      if (o.kind === 'invalid') {
        enqueue.emit({ type: 'invalidFill', orderId, fillId, reason: o.reason });
        return;
      }
      enqueue.assign({ ledger: r.ledger });
      enqueue.emit({
        type: 'fillApplied',
        orderId,
        parentId,
        orderRef,
        fill: event.fill,
        cumulativeFill: [...r.ledger.fill],
        filledPrice: r.ledger.filledPrice,
      });
      if (o.kind === 'overfilled')
        enqueue.emit({ type: 'overfilled', orderId, fillId, overfill: [...o.overfill] });
      if (params.late) enqueue.emit({ type: 'lateFill', orderId, fillId, after: params.late });
    }),
    recordCorrection: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'FILL_CORRECTED') return;
      const { orderId, parentId } = context.order;
      const r = correctFill(context.ledger, event.original, event.corrected);
      if (!r.applied) {
        enqueue.emit({
          type: 'ignored',
          orderId,
          eventType: event.type,
          reason: `correction of fill ${event.original.fillId} not applied to this order`,
        });
        return;
      }
      enqueue.assign({ ledger: r.ledger });
      enqueue.emit({
        type: 'fillCorrected',
        orderId,
        parentId,
        original: event.original,
        corrected: event.corrected,
        cumulativeFill: [...r.ledger.fill],
        filledPrice: r.ledger.filledPrice,
      });
    }),
    recordSubmitted: enqueueActions(({ event, enqueue }) => {
      if (event.type === 'SUBMITTED')
        enqueue.assign({ brokerTempId: event.brokerTempId, submitDatetime: event.submitDatetime });
    }),
    recordAck: enqueueActions(({ event, enqueue }) => {
      if (event.type === 'ACKNOWLEDGED')
        enqueue.assign({ brokerPermId: event.brokerPermId, acknowledged: true });
    }),
    recordCommission: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'COMMISSION') return;
      if (!context.ledger.fillIds.includes(event.fillId) || !Number.isFinite(event.commission)) {
        enqueue.emit({
          type: 'ignored',
          orderId: context.order.orderId,
          eventType: event.type,
          reason: `commission for unknown fill ${event.fillId} or not a number`,
        });
        return;
      }
      enqueue.assign({ ledger: addCommission(context.ledger, event.commission) });
    }),
    recordModified: enqueueActions(({ event, enqueue }) => {
      if (event.type === 'MODIFIED') enqueue.assign({ currentLimitPrice: event.limitPrice });
    }),
    appendComment: enqueueActions(({ context, event, enqueue }) => {
      const text =
        event.type === 'BROKER_MESSAGE'
          ? event.text
          : event.type === 'REJECTED' || event.type === 'SUBMIT_FAILED' || event.type === 'CANCEL_REJECTED'
            ? `${event.type}: ${event.reason}`
            : '';
      if (text)
        enqueue.assign({ algoComment: context.algoComment ? `${context.algoComment}; ${text}` : text });
    }),
    deactivate: assign({ active: false }),
    setLocked: assign({ locked: ({ event }) => event.type === 'LOCK' }),
    reportFilled: emit(({ context }) => ({
      type: 'filled' as const,
      orderId: context.order.orderId,
      parentId: context.order.parentId,
      orderRef: context.order.orderRef,
    })),
    reportCancelled: emit(({ context }) => ({
      type: 'cancelled' as const,
      orderId: context.order.orderId,
      parentId: context.order.parentId,
      orderRef: context.order.orderRef,
      fill: [...context.ledger.fill],
    })),
    reportRejected: enqueueActions(({ context, event, enqueue }) => {
      const reason = event.type === 'REJECTED' || event.type === 'SUBMIT_FAILED' ? event.reason : 'rejected';
      enqueue.assign({ rejectReason: reason });
      enqueue.emit({
        type: 'rejected',
        orderId: context.order.orderId,
        parentId: context.order.parentId,
        orderRef: context.order.orderRef,
        reason,
      });
    }),
    reportCancelFailed: emit(({ context, event }) => ({
      type: 'cancelFailed' as const,
      orderId: context.order.orderId,
      orderRef: context.order.orderRef,
      reason: event.type === 'CANCEL_REJECTED' ? event.reason : 'cancel failed',
    })),
    reportIgnored: emit(({ context, event }) => ({
      type: 'ignored' as const,
      orderId: context.order.orderId,
      eventType: event.type,
      reason: 'not applicable in this state',
    })),
  },
  guards: {
    fillCompletes: ({ context, event }) =>
      event.type === 'FILL' && isFullyFilled(context.order.trade, afterFill(context, event.fill).fill),
    fillIsPartial: ({ context, event }) =>
      event.type === 'FILL' && !isZeroQty(afterFill(context, event.fill).fill),
    hasFill: ({ context }) => !isZeroQty(context.ledger.fill),
    wasAcknowledged: ({ context }) => context.acknowledged,
  },
}).createMachine({
  id: 'brokerOrder',
  context: ({ input }) => ({
    order: input.order,
    ledger: emptyLedger(input.order.trade),
    brokerTempId: null,
    brokerPermId: null,
    submitDatetime: null,
    currentLimitPrice: input.order.limitPrice,
    algoComment: '',
    acknowledged: false,
    rejectReason: null,
    active: true,
    locked: false,
  }),
  initial: 'created',
  on: {
    FILL: { actions: { type: 'applyFill', params: {} } },
    ACKNOWLEDGED: { actions: 'recordAck' },
    COMMISSION: { actions: 'recordCommission' },
    FILL_CORRECTED: { actions: 'recordCorrection' },
    MODIFIED: { actions: 'recordModified' },
    BROKER_MESSAGE: { actions: 'appendComment' },
    DEACTIVATE: { actions: 'deactivate' },
    LOCK: { actions: 'setLocked' },
    UNLOCK: { actions: 'setLocked' },
    '*': { actions: 'reportIgnored' },
  },
  states: {
    created: {
      // An ack or a fill can beat the host's SUBMITTED (reconciliation after a restart, or a
      // fast fill): the order evidently reached the broker, so move on rather than stall here.
      on: {
        SUBMITTED: { target: 'submitted', actions: 'recordSubmitted' },
        ACKNOWLEDGED: { target: 'acknowledged', actions: 'recordAck' },
        FILL: [
          { guard: 'fillCompletes', target: 'filled', actions: { type: 'applyFill', params: {} } },
          { guard: 'fillIsPartial', target: 'partiallyFilled', actions: { type: 'applyFill', params: {} } },
          { actions: { type: 'applyFill', params: {} } },
        ],
        SUBMIT_FAILED: { target: 'rejected', actions: ['appendComment', 'reportRejected'] },
      },
    },
    submitted: {
      on: {
        ACKNOWLEDGED: { target: 'acknowledged', actions: 'recordAck' },
        FILL: [
          { guard: 'fillCompletes', target: 'filled', actions: { type: 'applyFill', params: {} } },
          { guard: 'fillIsPartial', target: 'partiallyFilled', actions: { type: 'applyFill', params: {} } },
          { actions: { type: 'applyFill', params: {} } },
        ],
        CANCEL_REQUESTED: { target: 'cancelPending' },
        CANCELLED: { target: 'cancelled' },
        REJECTED: { target: 'rejected', actions: ['appendComment', 'reportRejected'] },
      },
    },
    acknowledged: {
      on: {
        FILL: [
          { guard: 'fillCompletes', target: 'filled', actions: { type: 'applyFill', params: {} } },
          { guard: 'fillIsPartial', target: 'partiallyFilled', actions: { type: 'applyFill', params: {} } },
          { actions: { type: 'applyFill', params: {} } },
        ],
        CANCEL_REQUESTED: { target: 'cancelPending' },
        CANCELLED: { target: 'cancelled' },
        REJECTED: { target: 'rejected', actions: ['appendComment', 'reportRejected'] },
      },
    },
    partiallyFilled: {
      on: {
        FILL: [
          { guard: 'fillCompletes', target: 'filled', actions: { type: 'applyFill', params: {} } },
          { actions: { type: 'applyFill', params: {} } },
        ],
        CANCEL_REQUESTED: { target: 'cancelPending' },
        CANCELLED: { target: 'cancelled' },
      },
    },
    filled: {
      entry: 'reportFilled',
    },
    cancelPending: {
      on: {
        FILL: [
          { guard: 'fillCompletes', target: 'filled', actions: { type: 'applyFill', params: {} } },
          { actions: { type: 'applyFill', params: {} } },
        ],
        CANCELLED: { target: 'cancelled' },
        CANCEL_REJECTED: [
          { guard: 'hasFill', target: 'partiallyFilled', actions: ['appendComment', 'reportCancelFailed'] },
          {
            guard: 'wasAcknowledged',
            target: 'acknowledged',
            actions: ['appendComment', 'reportCancelFailed'],
          },
          { target: 'submitted', actions: ['appendComment', 'reportCancelFailed'] },
        ],
      },
    },
    cancelled: {
      entry: 'reportCancelled',
      on: {
        FILL: [
          {
            guard: 'fillCompletes',
            target: 'filled',
            actions: { type: 'applyFill', params: { late: 'cancel' } },
          },
          { actions: { type: 'applyFill', params: { late: 'cancel' } } },
        ],
      },
    },
    rejected: {
      on: {
        FILL: { actions: { type: 'applyFill', params: { late: 'reject' } } },
      },
    },
  },
});

export type BrokerOrderMachine = typeof brokerOrderMachine;
