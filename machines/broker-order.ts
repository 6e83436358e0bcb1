/**
 * Broker order machine: what went to the broker (digest §1.3, §2 F1–F2; peers.md §1.1, the
 * NautilusTrader order state table).
 *
 * Public API
 * - `brokerOrderMachine`, started with `BrokerOrderInput` (the order's fields; the host creates
 *   it when an algo emits `placeBrokerOrder`, before it calls the broker).
 * - `BrokerOrderEvent`: SUBMITTED (the broker took the order: temp id, submit time; with the perm
 *   id when the broker's answer carried it, which acknowledges the order at once), SUBMIT_FAILED,
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
 * States: created → submitted → acknowledged → partiallyFilled → filled (created → acknowledged
 * directly when SUBMITTED carries the perm id); cancelPending → cancelled; rejected. "Impossible" events are handled on purpose: a fill after a cancel (or a
 * reject) is applied and reported as `lateFill`; a failed cancel returns the order to where it was
 * working; a fill beyond the trade is applied and raised as `overfilled`; a fill id already applied
 * changes nothing. No state is final: a late fill can arrive at any time (#1580); the host archives
 * the order at end of day.
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import { addCommission, emptyLedger, isFullyFilled, isZeroQty } from '../src/domain/orders/index.ts';
import { correctionStep, fillResult, fillStep } from './support/broker-order-logic.ts';
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

const applyFillAction = { type: 'applyFill', params: {} } as const;
/** A fill that completes the order, leaves it partly filled, or (overfill, duplicate) just applies. */
const FILL_MOVES = [
  { guard: 'fillCompletes', target: 'filled', actions: applyFillAction },
  { guard: 'fillIsPartial', target: 'partiallyFilled', actions: applyFillAction },
  { actions: applyFillAction },
] as const;
/** A fill while partly filled or cancel-pending: it completes the order or is applied. */
const FILL_COMPLETES = [
  { guard: 'fillCompletes', target: 'filled', actions: applyFillAction },
  { actions: applyFillAction },
] as const;

export const brokerOrderMachine = setup({
  types: {
    context: {} as BrokerOrderContext,
    events: {} as BrokerOrderEvent,
    input: {} as BrokerOrderInput,
    emitted: {} as BrokerOrderEmitted,
  },
  actions: {
    applyFill: enqueueActions(({ context, event, enqueue }, params: { late?: 'cancel' | 'reject' }) => {
      const r = fillStep(context, event, params.late);
      if (r.ledger) enqueue.assign({ ledger: r.ledger });
      for (const e of r.emitted) enqueue.emit(e);
    }),
    recordCorrection: enqueueActions(({ context, event, enqueue }) => {
      const r = correctionStep(context, event);
      if (r.ledger) enqueue.assign({ ledger: r.ledger });
      for (const e of r.emitted) enqueue.emit(e);
    }),
    recordSubmitted: assign(({ event }) => {
      if (event.type !== 'SUBMITTED') return {};
      const { brokerTempId, submitDatetime, brokerPermId } = event;
      return brokerPermId === undefined
        ? { brokerTempId, submitDatetime }
        : { brokerTempId, submitDatetime, brokerPermId, acknowledged: true };
    }),
    recordAck: assign(({ event }) =>
      event.type === 'ACKNOWLEDGED' ? { brokerPermId: event.brokerPermId, acknowledged: true } : {},
    ),
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
    recordModified: assign(({ event }) =>
      event.type === 'MODIFIED' ? { currentLimitPrice: event.limitPrice } : {},
    ),
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
    fillCompletes: ({ context, event }) => {
      const r = fillResult(context, event);
      return r !== undefined && isFullyFilled(context.order.trade, r.ledger.fill);
    },
    fillIsPartial: ({ context, event }) => {
      const r = fillResult(context, event);
      return r !== undefined && !isZeroQty(r.ledger.fill);
    },
    hasFill: ({ context }) => !isZeroQty(context.ledger.fill),
    acknowledgedOnSubmit: ({ event }) => event.type === 'SUBMITTED' && event.brokerPermId !== undefined,
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
    FILL: { actions: applyFillAction },
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
        SUBMITTED: [
          { guard: 'acknowledgedOnSubmit', target: 'acknowledged', actions: 'recordSubmitted' },
          { target: 'submitted', actions: 'recordSubmitted' },
        ],
        ACKNOWLEDGED: { target: 'acknowledged', actions: 'recordAck' },
        FILL: FILL_MOVES,
        SUBMIT_FAILED: { target: 'rejected', actions: ['appendComment', 'reportRejected'] },
      },
    },
    submitted: {
      on: {
        ACKNOWLEDGED: { target: 'acknowledged', actions: 'recordAck' },
        FILL: FILL_MOVES,
        CANCEL_REQUESTED: { target: 'cancelPending' },
        CANCELLED: { target: 'cancelled' },
        REJECTED: { target: 'rejected', actions: ['appendComment', 'reportRejected'] },
      },
    },
    acknowledged: {
      on: {
        FILL: FILL_MOVES,
        CANCEL_REQUESTED: { target: 'cancelPending' },
        CANCELLED: { target: 'cancelled' },
        REJECTED: { target: 'rejected', actions: ['appendComment', 'reportRejected'] },
      },
    },
    partiallyFilled: {
      on: {
        FILL: FILL_COMPLETES,
        CANCEL_REQUESTED: { target: 'cancelPending' },
        CANCELLED: { target: 'cancelled' },
      },
    },
    filled: {
      entry: 'reportFilled',
    },
    cancelPending: {
      on: {
        FILL: FILL_COMPLETES,
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
