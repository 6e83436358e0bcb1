/**
 * Contract order machine: one instrument × contract date(s) order, one or two legs (digest §1.2,
 * §1.5, §2 A3, D3–D5, F3, G1–G2).
 *
 * Public API
 * - `contractOrderMachine`, started with `ContractOrderInput` (the order's fields).
 * - `ContractOrderEvent`: ALGO_CONTROL / ALGO_RELEASE (the algo soft lock, A3: one controlling
 *   algo at a time), BROKER_ORDER_CREATED (a broker child was placed, D3; many are allowed),
 *   CHILD_FILL / CHILD_CANCELLED / CHILD_REJECTED (broker child events), CANCEL, END_OF_DAY,
 *   LOCK / UNLOCK.
 * - `ContractOrderEmitted`: `fillApplied` (update the contract position per leg by `delta`, F3,
 *   and forward the fill to the parent instrument order), `algoReleased`, `cancelChildren`,
 *   `completed`; reports `overfilled`, `duplicateFill`, `invalidFill`, `unknownChildFill`,
 *   `controlRefused`, `releaseRefused`, `ignored`.
 *
 * States: new → algoControlled ⇄ released / partiallyFilled → filled → completed; cancelled;
 * completedEndOfDay. A broker child is settled when filled or rejected; a cancelled child with
 * fill < trade stays unsettled until END_OF_DAY, as in the reference (G1: a late fill may still
 * arrive; #874). The average price is quantity-weighted over broker fills (F3 used an unweighted
 * mean of child prices; see src/domain/orders/fill.ts).
 */
import { emit, enqueueActions, setup } from 'xstate';
import {
  addChildren,
  type CompletionMode,
  emptyLedger,
  type Fill,
  isFamilyComplete,
  isFullyFilled,
  isZeroQty,
  correctChildFill,
  recordChildFill,
  remainingQty,
} from '../src/domain/orders/index.ts';
import { childSpecProblem } from './support/children.ts';
import type {
  ContractOrderContext,
  ContractOrderEmitted,
  ContractOrderEvent,
  ContractOrderInput,
} from './support/contract-order-types.ts';

export type {
  ContractOrderContext,
  ContractOrderEmitted,
  ContractOrderEvent,
  ContractOrderInput,
} from './support/contract-order-types.ts';
import { FILL_TO_FILLED, FILL_TO_FILLED_OR_PARTIAL } from './support/child-fill-transitions.ts';

type Ctx = ContractOrderContext;

/** Record a broker child's fill; a child whose fill reaches its trade is settled. */
function withChildFill(ctx: Ctx, childId: string, fill: Fill) {
  const r = recordChildFill(ctx, childId, fill, (f) => f);
  const children = r.state.children.map((c) =>
    !c.completed && isFullyFilled(c.trade, c.fill) ? { ...c, completed: true } : c,
  );
  return { ctx: { ...ctx, ...r.state, children }, outcome: r.outcome };
}

const ownFillComplete = (c: Ctx) => isFullyFilled(c.order.trade, c.ledger.fill);
const hasOwnFill = (c: Ctx) => !isZeroQty(c.ledger.fill);
const workingChildIds = (c: Ctx) =>
  c.children
    .filter((ch) => !ch.completed && !c.cancelledChildIds.includes(ch.orderId))
    .map((ch) => ch.orderId);

export const contractOrderMachine = setup({
  types: {
    context: {} as ContractOrderContext,
    events: {} as ContractOrderEvent,
    input: {} as ContractOrderInput,
    emitted: {} as ContractOrderEmitted,
  },
  actions: {
    recordFill: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'CHILD_FILL') return;
      const orderId = context.order.orderId;
      const { childId, fill } = event;
      const { ctx, outcome: o } = withChildFill(context, childId, fill);
      enqueue.assign(ctx);
      if (o.kind === 'duplicate')
        enqueue.emit({ type: 'duplicateFill', orderId, childId, fillId: fill.fillId });
      else if (o.kind === 'invalid')
        enqueue.emit({ type: 'invalidFill', orderId, childId, fillId: fill.fillId, reason: o.reason });
      else if (o.kind === 'unknownChild')
        enqueue.emit({ type: 'unknownChildFill', orderId, childId, fillId: fill.fillId });
      else if (o.parentFill) {
        enqueue.emit({
          type: 'fillApplied',
          orderId,
          parentId: context.order.parentId,
          instrumentCode: context.order.instrumentCode,
          contractDates: [...context.order.contractDates],
          childId,
          fill: o.parentFill,
          delta: [...o.parentFill.qty],
          cumulativeFill: [...ctx.ledger.fill],
          filledPrice: ctx.ledger.filledPrice,
        });
        if (o.kind === 'overfilled')
          enqueue.emit({ type: 'overfilled', orderId, fillId: fill.fillId, overfill: [...o.overfill] });
      }
    }),
    recordCorrection: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'CHILD_FILL_CORRECTED') return;
      const { childId, original, corrected } = event;
      const r = correctChildFill(context, childId, original, corrected, (f) => f);
      if (!r?.parent) {
        enqueue.emit({
          type: 'ignored',
          orderId: context.order.orderId,
          eventType: event.type,
          reason: `correction of fill ${original.fillId} not held for child ${childId}`,
        });
        return;
      }
      enqueue.assign(r.state);
      enqueue.emit({
        type: 'fillCorrected',
        orderId: context.order.orderId,
        parentId: context.order.parentId,
        childId,
        original: r.parent.original,
        corrected: r.parent.corrected,
        cumulativeFill: [...r.state.ledger.fill],
        filledPrice: r.state.ledger.filledPrice,
      });
    }),
    addBrokerChild: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'BROKER_ORDER_CREATED') return;
      const problem = childSpecProblem([event.child], context.children, 'many');
      if (problem) {
        enqueue.emit({
          type: 'ignored',
          orderId: context.order.orderId,
          eventType: event.type,
          reason: problem,
        });
        return;
      }
      const added = addChildren(context, [event.child]);
      let ctx: Ctx = { ...context, ...added.state };
      for (const p of added.released) ctx = withChildFill(ctx, p.childId, p.fill).ctx;
      enqueue.assign(ctx);
    }),
    childCancelled: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'CHILD_CANCELLED') return;
      if (!context.children.some((c) => c.orderId === event.childId)) {
        enqueue.emit({
          type: 'ignored',
          orderId: context.order.orderId,
          eventType: event.type,
          reason: `unknown child ${event.childId}`,
        });
        return;
      }
      if (!context.cancelledChildIds.includes(event.childId))
        enqueue.assign({ cancelledChildIds: [...context.cancelledChildIds, event.childId] });
    }),
    childRejected: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'CHILD_REJECTED') return;
      if (!context.children.some((c) => c.orderId === event.childId)) {
        enqueue.emit({
          type: 'ignored',
          orderId: context.order.orderId,
          eventType: event.type,
          reason: `unknown child ${event.childId}`,
        });
        return;
      }
      enqueue.assign({
        rejectedChildIds: [...new Set([...context.rejectedChildIds, event.childId])],
        children: context.children.map((c) => (c.orderId === event.childId ? { ...c, completed: true } : c)),
      });
    }),
    takeControl: enqueueActions(({ event, enqueue }) => {
      if (event.type === 'ALGO_CONTROL') enqueue.assign({ algoControlledBy: event.algo });
    }),
    refuseControl: emit(({ context, event }) => ({
      type: 'controlRefused' as const,
      orderId: context.order.orderId,
      algo: event.type === 'ALGO_CONTROL' ? event.algo : '',
      controlledBy: context.algoControlledBy,
      reason: context.algoControlledBy ? 'already controlled by another algo' : 'order is not working',
    })),
    releaseControl: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'ALGO_RELEASE') return;
      if (context.algoControlledBy !== event.algo) {
        enqueue.emit({
          type: 'releaseRefused',
          orderId: context.order.orderId,
          algo: event.algo,
          controlledBy: context.algoControlledBy,
        });
        return;
      }
      enqueue.assign({ algoControlledBy: null });
      enqueue.emit({
        type: 'algoReleased',
        orderId: context.order.orderId,
        algo: event.algo,
        remaining: remainingQty(context.order.trade, context.ledger.fill),
      });
    }),
    cancelChildren: enqueueActions(({ context, event, enqueue }) => {
      enqueue.assign({ algoControlledBy: null });
      enqueue.emit({
        type: 'cancelChildren',
        orderId: context.order.orderId,
        childIds: workingChildIds(context),
        reason: event.type === 'CANCEL' ? event.reason : 'cancel',
      });
    }),
    setLocked: enqueueActions(({ event, enqueue }) => {
      enqueue.assign({ locked: event.type === 'LOCK' });
    }),
    complete: enqueueActions(({ context, enqueue }, params: { mode: CompletionMode }) => {
      enqueue.assign({ active: false, completion: params.mode, algoControlledBy: null });
      enqueue.emit({
        type: 'completed',
        orderId: context.order.orderId,
        parentId: context.order.parentId,
        mode: params.mode,
        fill: [...context.ledger.fill],
        filledPrice: context.ledger.filledPrice,
        fillDatetime: context.ledger.fillDatetime,
        childIds: context.children.map((c) => c.orderId),
      });
    }),
    reportIgnored: emit(({ context, event }) => ({
      type: 'ignored' as const,
      orderId: context.order.orderId,
      eventType: event.type,
      reason: 'not applicable in this state',
    })),
  },
  guards: {
    releasedByController: ({ context, event }) =>
      event.type === 'ALGO_RELEASE' && context.algoControlledBy === event.algo,
    ownFillComplete: ({ context }) => ownFillComplete(context),
    hasOwnFill: ({ context }) => hasOwnFill(context),
    childFillCompletesOrder: ({ context, event }) =>
      event.type === 'CHILD_FILL' && ownFillComplete(withChildFill(context, event.childId, event.fill).ctx),
    childFillPartlyFills: ({ context, event }) =>
      event.type === 'CHILD_FILL' && hasOwnFill(withChildFill(context, event.childId, event.fill).ctx),
    familyComplete: ({ context }) =>
      isFamilyComplete('strict', context.order.trade, context.ledger.fill, context.children),
  },
}).createMachine({
  id: 'contractOrder',
  context: ({ input }) => ({
    order: input.order,
    ledger: emptyLedger(input.order.trade),
    children: [],
    childFillIds: [],
    pendingFills: [],
    algoControlledBy: null,
    cancelledChildIds: [],
    rejectedChildIds: [],
    active: true,
    locked: false,
    completion: null,
  }),
  initial: 'new',
  on: {
    CHILD_FILL: { actions: 'recordFill' },
    CHILD_FILL_CORRECTED: { actions: 'recordCorrection' },
    BROKER_ORDER_CREATED: { actions: 'addBrokerChild' },
    CHILD_CANCELLED: { actions: 'childCancelled' },
    CHILD_REJECTED: { actions: 'childRejected' },
    ALGO_CONTROL: { actions: 'refuseControl' },
    ALGO_RELEASE: { actions: 'releaseControl' },
    LOCK: { actions: 'setLocked' },
    UNLOCK: { actions: 'setLocked' },
    END_OF_DAY: { target: '.completedEndOfDay' },
    '*': { actions: 'reportIgnored' },
  },
  states: {
    new: {
      // Fills can reach an uncontrolled order (a manual broker order, or a child whose algo was
      // lost in a crash): they are applied and move the order on like any other fill.
      on: {
        ALGO_CONTROL: { target: 'algoControlled', actions: 'takeControl' },
        CHILD_FILL: FILL_TO_FILLED_OR_PARTIAL,
        CANCEL: { target: 'cancelled', actions: 'cancelChildren' },
      },
    },
    algoControlled: {
      on: {
        CHILD_FILL: FILL_TO_FILLED,
        ALGO_RELEASE: [
          { guard: 'releasedByController', target: 'released', actions: 'releaseControl' },
          { actions: 'releaseControl' },
        ],
        CANCEL: { target: 'cancelled', actions: 'cancelChildren' },
      },
    },
    released: {
      always: { guard: 'hasOwnFill', target: 'partiallyFilled' },
      on: {
        ALGO_CONTROL: { target: 'algoControlled', actions: 'takeControl' },
        CHILD_FILL: FILL_TO_FILLED_OR_PARTIAL,
        CANCEL: { target: 'cancelled', actions: 'cancelChildren' },
      },
    },
    partiallyFilled: {
      always: { guard: 'ownFillComplete', target: 'filled' },
      on: {
        ALGO_CONTROL: { target: 'algoControlled', actions: 'takeControl' },
        CHILD_FILL: FILL_TO_FILLED,
        CANCEL: { target: 'cancelled', actions: 'cancelChildren' },
      },
    },
    filled: {
      always: { guard: 'familyComplete', target: 'completed' },
    },
    cancelled: {
      always: { guard: 'familyComplete', target: 'completed' },
    },
    completed: { type: 'final', entry: { type: 'complete', params: { mode: 'strict' } } },
    completedEndOfDay: { type: 'final', entry: { type: 'complete', params: { mode: 'endOfDay' } } },
  },
});

export type ContractOrderMachine = typeof contractOrderMachine;
