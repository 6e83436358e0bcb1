/**
 * Contract order machine: one instrument × contract date(s) order, one or two legs (digest §1.2,
 * §1.5, §2 A3, D3–D5, F3, G1–G2).
 *
 * Public API
 * - `contractOrderMachine`, started with `ContractOrderInput` (the order's fields).
 * - `ContractOrderEvent`: ALGO_CONTROL / ALGO_RELEASE (the algo soft lock, A3: one controlling
 *   algo at a time; ALGO_CONTROL may name the broker order the algo placed as it took the lock:
 *   that child is added as BROKER_ORDER_CREATED adds it, in the same event), BROKER_ORDER_CREATED
 *   (a broker child was placed, D3; many are allowed),
 *   CHILD_FILL / CHILD_FILL_CORRECTED / CHILD_CANCELLED / CHILD_REJECTED (broker child events),
 *   CANCEL, END_OF_DAY, LOCK / UNLOCK.
 * - `ContractOrderEmitted`: `fillApplied` (update the contract position per leg by `delta`, F3,
 *   and forward the fill to the parent instrument order), `fillCorrected`, `algoReleased`,
 *   `releasePending`, `cancelChildren`, `completed`, `completionAmended`; reports `overfilled`,
 *   `duplicateFill`, `invalidFill`, `unknownChildFill`, `controlRefused`, `releaseRefused`,
 *   `ignored`.
 *
 * States: new → algoControlled ⇄ released / partiallyFilled → filled → completed; cancelled;
 * completedEndOfDay. ALGO_RELEASE while a broker child may still trade (its cancel not yet
 * confirmed, e.g. after `algo.unlock`) goes to `releasing`: the lock stays until that child is
 * cancelled, rejected or filled, so no second broker order can be placed beside it. A broker child
 * is settled when filled or rejected; a cancelled child with fill < trade stays unsettled until
 * END_OF_DAY, as in the reference (G1: a late fill may still arrive; #874). The average price is
 * quantity-weighted over broker fills (F3 used an unweighted mean of child prices; see
 * src/domain/orders/fill.ts). `completed` and `completedEndOfDay` are not final: they take a
 * broker's correction of a child fill (CHILD_FILL_CORRECTED: fill and price amended, reported as
 * `completionAmended`) and ignore every other event.
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import { addChildren, type CompletionMode, emptyLedger } from '../src/domain/orders/index.ts';
import { childSpecProblem } from './support/children.ts';
import {
  afterChildEvent,
  amendedEvent,
  childFillStep,
  childSettledStep,
  completedEvent,
  correctionOf,
  correctionStep,
  familyComplete,
  hasOwnFill,
  ownFillComplete,
  releasedEvent,
  withChildFill,
  workingChildIds,
} from './support/contract-order-logic.ts';
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
import { AFTER_COMPLETION, amendingFillId, completing } from './support/after-completion.ts';

type Ctx = ContractOrderContext;

/** The algo takes the lock (A3) and, when the event names it, its first broker child (D3). */
const TAKE_CONTROL = { target: 'algoControlled', actions: ['takeControl', 'addBrokerChild'] } as const;

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
      const r = childFillStep(context, event);
      enqueue.assign(r.ctx);
      for (const e of r.emitted) enqueue.emit(e);
    }),
    recordCorrection: enqueueActions(({ context, event, enqueue }) => {
      const r = correctionStep(context, event);
      if (r.ctx !== context) enqueue.assign(r.ctx);
      for (const e of r.emitted) enqueue.emit(e);
    }),
    amendCompletion: emit(({ context, event }) => amendedEvent(context, amendingFillId(event))),
    addBrokerChild: enqueueActions(({ context, event, enqueue }) => {
      const child =
        event.type === 'BROKER_ORDER_CREATED' || event.type === 'ALGO_CONTROL' ? event.child : undefined;
      if (!child) return;
      const problem = childSpecProblem([child], context.children, 'many');
      if (problem) {
        enqueue.emit({
          type: 'ignored',
          orderId: context.order.orderId,
          eventType: event.type,
          reason: problem,
        });
        return;
      }
      const added = addChildren(context, [child]);
      let ctx: Ctx = { ...context, ...added.state };
      for (const p of added.released) ctx = withChildFill(ctx, p.childId, p.fill).ctx;
      enqueue.assign(ctx);
    }),
    childSettled: enqueueActions(({ context, event, enqueue }) => {
      const r = childSettledStep(context, event);
      if (r.ctx !== context) enqueue.assign(r.ctx);
      for (const e of r.emitted) enqueue.emit(e);
    }),
    takeControl: assign({
      algoControlledBy: ({ context, event }) =>
        event.type === 'ALGO_CONTROL' ? event.algo : context.algoControlledBy,
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
      enqueue.emit(releasedEvent(context, event.algo));
    }),
    requestRelease: emit(({ context }) => ({
      type: 'releasePending' as const,
      orderId: context.order.orderId,
      algo: context.algoControlledBy ?? '',
      workingChildIds: workingChildIds(context),
    })),
    finishRelease: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ algoControlledBy: null });
      enqueue.emit(releasedEvent(context, context.algoControlledBy ?? ''));
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
    setLocked: assign({ locked: ({ event }) => event.type === 'LOCK' }),
    // Two static actions (report, then deactivate and drop the algo lock), not one enqueueActions.
    reportCompleted: emit(({ context }, params: { mode: CompletionMode }) =>
      completedEvent(context, params.mode),
    ),
    complete: assign((_, params: { mode: CompletionMode }) => ({
      active: false,
      completion: params.mode,
      algoControlledBy: null,
    })),
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
    releasedWhileChildWorks: ({ context, event }) =>
      event.type === 'ALGO_RELEASE' &&
      context.algoControlledBy === event.algo &&
      workingChildIds(context).length > 0,
    childEventSettlesRelease: ({ context, event }) =>
      workingChildIds(afterChildEvent(context, event)).length === 0,
    correctionHeld: ({ context, event }) => correctionOf(context, event) !== undefined,
    ownFillComplete: ({ context }) => ownFillComplete(context),
    hasOwnFill: ({ context }) => hasOwnFill(context),
    childFillCompletesFamily: ({ context, event }) =>
      event.type === 'CHILD_FILL' && familyComplete(childFillStep(context, event).ctx),
    childFillCompletesOrder: ({ context, event }) =>
      event.type === 'CHILD_FILL' && ownFillComplete(childFillStep(context, event).ctx),
    childFillPartlyFills: ({ context, event }) =>
      event.type === 'CHILD_FILL' && hasOwnFill(childFillStep(context, event).ctx),
    familyComplete: ({ context }) => familyComplete(context),
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
    CHILD_CANCELLED: { actions: 'childSettled' },
    CHILD_REJECTED: { actions: 'childSettled' },
    ALGO_CONTROL: { actions: ['refuseControl', 'addBrokerChild'] },
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
        ALGO_CONTROL: TAKE_CONTROL,
        CHILD_FILL: FILL_TO_FILLED_OR_PARTIAL,
        CANCEL: { target: 'cancelled', actions: 'cancelChildren' },
      },
    },
    algoControlled: {
      on: {
        CHILD_FILL: FILL_TO_FILLED,
        ALGO_RELEASE: [
          { guard: 'releasedWhileChildWorks', target: 'releasing', actions: 'requestRelease' },
          { guard: 'releasedByController', target: 'released', actions: 'releaseControl' },
          { actions: 'releaseControl' },
        ],
        CANCEL: { target: 'cancelled', actions: 'cancelChildren' },
      },
    },
    releasing: {
      // The lock is kept (no new broker order) until the working broker child is final.
      on: {
        CHILD_FILL: [
          { guard: 'childFillCompletesFamily', target: 'completed', actions: 'recordFill' },
          { guard: 'childFillCompletesOrder', target: 'filled', actions: 'recordFill' },
          { guard: 'childEventSettlesRelease', target: 'released', actions: ['recordFill', 'finishRelease'] },
          { actions: 'recordFill' },
        ],
        CHILD_CANCELLED: [
          {
            guard: 'childEventSettlesRelease',
            target: 'released',
            actions: ['childSettled', 'finishRelease'],
          },
          { actions: 'childSettled' },
        ],
        CHILD_REJECTED: [
          {
            guard: 'childEventSettlesRelease',
            target: 'released',
            actions: ['childSettled', 'finishRelease'],
          },
          { actions: 'childSettled' },
        ],
        ALGO_RELEASE: { actions: 'reportIgnored' },
        CANCEL: { target: 'cancelled', actions: 'cancelChildren' },
      },
    },
    released: {
      always: { guard: 'hasOwnFill', target: 'partiallyFilled' },
      on: {
        ALGO_CONTROL: TAKE_CONTROL,
        CHILD_FILL: FILL_TO_FILLED_OR_PARTIAL,
        CANCEL: { target: 'cancelled', actions: 'cancelChildren' },
      },
    },
    partiallyFilled: {
      always: { guard: 'ownFillComplete', target: 'filled' },
      on: {
        ALGO_CONTROL: TAKE_CONTROL,
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
    completed: { entry: completing('strict'), on: AFTER_COMPLETION },
    completedEndOfDay: { entry: completing('endOfDay'), on: AFTER_COMPLETION },
  },
});

export type ContractOrderMachine = typeof contractOrderMachine;
