/**
 * Instrument order machine: one strategy × instrument order (digest §1.1, §1.5, §2 C, F4–F7, G1–G2).
 *
 * Public API
 * - `instrumentOrderMachine` — start it with `InstrumentOrderInput` (the order's fields, plus its
 *   children when it is created with them, as roll orders are, J4).
 * - `InstrumentOrderEvent` — what the host sends: CHILDREN_SPAWNED (contract orders created, C8),
 *   CHILD_FILL (a contract child's fill, keyed by broker fill id), CHILD_COMPLETED (a contract
 *   child's family completed), CANCEL, END_OF_DAY (G2), LOCK / UNLOCK (the order's `locked` flag).
 * - `InstrumentOrderEmitted` — what the host performs or publishes: `fillApplied` (update the
 *   strategy position by `delta`, F4), `cancelChildren`, `completed` (archive the family), and the
 *   reports `overfilled`, `duplicateFill`, `invalidFill`, `unknownChildFill`, `unsupportedFamily`,
 *   `spawnRefused`, `ignored`.
 * - Drive it purely with `start` / `step` from `./step.ts`.
 *
 * States: new → childrenWorking → partiallyFilled → filled → completed; cancelled (fills after a
 * cancel are still applied) and completedEndOfDay (G2: partial or unfilled families are closed).
 * The two completed states are not final: a broker's correction of a fill can come after the
 * family completed (CHILD_FILL_CORRECTED: fill and price amended, `completionAmended` reported so
 * the host rewrites the family's history); every other event is ignored there.
 * Strict completion (G1) needs fill == trade and every child complete; a childless zero order
 * completes at once. Zero-trade roll families (FORCE / FORCELEG) are "filled" from the start (fill
 * 0 == trade 0) and complete when their children do; their fills never touch the strategy
 * position (F7).
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import {
  type ChildSummary,
  type CompletionMode,
  emptyLedger,
  isZeroQty,
} from '../src/domain/orders/index.ts';
import { childSpecProblem } from './support/children.ts';
import {
  amendedEvent,
  childCompleted,
  childFillStep,
  completedEvent,
  correctionOf,
  correctionStep,
  familyComplete,
  hasOwnFill,
  ownFillComplete,
  withChildren,
} from './support/instrument-order-logic.ts';
import type {
  InstrumentOrderContext,
  InstrumentOrderEmitted,
  InstrumentOrderEvent,
  InstrumentOrderInput,
} from './support/instrument-order-types.ts';

export type { ChildSpec } from './support/children.ts';

export type {
  InstrumentOrderContext,
  InstrumentOrderEmitted,
  InstrumentOrderEvent,
  InstrumentOrderInput,
} from './support/instrument-order-types.ts';
import {
  CHILD_COMPLETION,
  FILL_TO_FILLED,
  FILL_TO_FILLED_OR_PARTIAL,
} from './support/child-fill-transitions.ts';
import { AFTER_COMPLETION, amendingFillId, completing } from './support/after-completion.ts';

type Ctx = InstrumentOrderContext;

export const instrumentOrderMachine = setup({
  types: {
    context: {} as InstrumentOrderContext,
    events: {} as InstrumentOrderEvent,
    input: {} as InstrumentOrderInput,
    emitted: {} as InstrumentOrderEmitted,
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
    addChildren: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'CHILDREN_SPAWNED') return;
      const next = withChildren(context, event.children);
      enqueue.assign(next);
      if (next.family === 'unsupported')
        enqueue.emit({
          type: 'unsupportedFamily',
          orderId: context.order.orderId,
          childIds: next.children.map((c) => c.orderId),
        });
    }),
    refuseSpawn: emit(({ context, event }) => ({
      type: 'spawnRefused' as const,
      orderId: context.order.orderId,
      reason:
        event.type === 'CHILDREN_SPAWNED'
          ? (childSpecProblem(event.children, context.children, 1) ?? 'children already spawned')
          : 'not a spawn event',
    })),
    markChildCompleted: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'CHILD_COMPLETED') return;
      const next = childCompleted(context, event);
      if (next) enqueue.assign({ children: next.children });
      else
        enqueue.emit({
          type: 'ignored',
          orderId: context.order.orderId,
          eventType: event.type,
          reason: `unknown child ${event.childId}`,
        });
    }),
    recordChildCompleted: assign(({ context, event }) => ({
      children: childCompleted(context, event)?.children ?? context.children,
    })),
    cancelChildren: emit(({ context, event }) => ({
      type: 'cancelChildren' as const,
      orderId: context.order.orderId,
      childIds: context.children.filter((c) => !c.completed).map((c) => c.orderId),
      reason: event.type === 'CANCEL' ? event.reason : 'cancel',
    })),
    setLocked: assign({ locked: ({ event }) => event.type === 'LOCK' }),
    // Completing is two static actions (report, then deactivate) rather than one enqueueActions:
    // no action objects are built per completion. The report reads only fill and children.
    reportCompleted: emit(({ context }, params: { mode: CompletionMode }) =>
      completedEvent(context, params.mode),
    ),
    complete: assign((_, params: { mode: CompletionMode }) => ({ active: false, completion: params.mode })),
    amendCompletion: emit(({ context, event }) => amendedEvent(context, amendingFillId(event))),
    reportIgnored: emit(({ context, event }) => ({
      type: 'ignored' as const,
      orderId: context.order.orderId,
      eventType: event.type,
      reason: 'not applicable in this state',
    })),
  },
  guards: {
    isChildlessZeroOrder: ({ context }) =>
      context.children.length === 0 && isZeroQty(context.order.trade) && !context.order.rollOrder,
    hasChildren: ({ context }) => context.children.length > 0,
    spawnValid: ({ context, event }) =>
      event.type === 'CHILDREN_SPAWNED' &&
      childSpecProblem(event.children, context.children, 1) === undefined,
    ownFillComplete: ({ context }) => ownFillComplete(context),
    hasOwnFill: ({ context }) => hasOwnFill(context),
    childFillCompletesFamily: ({ context, event }) =>
      event.type === 'CHILD_FILL' && familyComplete(childFillStep(context, event).ctx),
    childFillCompletesOrder: ({ context, event }) =>
      event.type === 'CHILD_FILL' && ownFillComplete(childFillStep(context, event).ctx),
    childFillPartlyFills: ({ context, event }) =>
      event.type === 'CHILD_FILL' && hasOwnFill(childFillStep(context, event).ctx),
    childCompletionCompletesFamily: ({ context, event }) => {
      const next = childCompleted(context, event);
      return next !== undefined && familyComplete(next);
    },
    familyComplete: ({ context }) => familyComplete(context),
    correctionHeld: ({ context, event }) => correctionOf(context, event) !== undefined,
    correctionCompletesFamily: ({ context, event }) => {
      const r = correctionOf(context, event);
      return r !== undefined && familyComplete({ ...context, ...r.state });
    },
    correctionCompletesOrder: ({ context, event }) => {
      const r = correctionOf(context, event);
      return r !== undefined && ownFillComplete({ ...context, ...r.state });
    },
  },
}).createMachine({
  id: 'instrumentOrder',
  context: ({ input }) => {
    const base: Ctx = {
      order: input.order,
      ledger: emptyLedger(input.order.trade),
      children: [] as ChildSummary[],
      childFillIds: [],
      pendingFills: [],
      family: 'childless',
      active: true,
      locked: false,
      completion: null,
    };
    return input.children && input.children.length > 0 ? withChildren(base, input.children) : base;
  },
  initial: 'new',
  on: {
    CHILD_FILL: { actions: 'recordFill' },
    CHILD_FILL_CORRECTED: { actions: 'recordCorrection' },
    CHILD_COMPLETED: { actions: 'markChildCompleted' },
    LOCK: { actions: 'setLocked' },
    UNLOCK: { actions: 'setLocked' },
    END_OF_DAY: { target: '.completedEndOfDay' },
    '*': { actions: 'reportIgnored' },
  },
  states: {
    new: {
      always: [
        { guard: 'isChildlessZeroOrder', target: 'completed' },
        { guard: 'hasChildren', target: 'childrenWorking' },
      ],
      on: {
        CHILDREN_SPAWNED: [
          { guard: 'spawnValid', target: 'childrenWorking', actions: 'addChildren' },
          { actions: 'refuseSpawn' },
        ],
        CANCEL: { target: 'cancelled', actions: 'cancelChildren' },
      },
    },
    childrenWorking: {
      always: [
        { guard: 'ownFillComplete', target: 'filled' },
        { guard: 'hasOwnFill', target: 'partiallyFilled' },
      ],
      on: {
        CHILD_FILL: FILL_TO_FILLED_OR_PARTIAL,
        CANCEL: { target: 'cancelled', actions: 'cancelChildren' },
      },
    },
    partiallyFilled: {
      on: {
        CHILD_FILL: FILL_TO_FILLED,
        // A correction that brings the fill up to the trade fills the order, as a fill does.
        CHILD_FILL_CORRECTED: [
          { guard: 'correctionCompletesFamily', target: 'completed', actions: 'recordCorrection' },
          { guard: 'correctionCompletesOrder', target: 'filled', actions: 'recordCorrection' },
          { actions: 'recordCorrection' },
        ],
        CANCEL: { target: 'cancelled', actions: 'cancelChildren' },
      },
    },
    filled: {
      always: { guard: 'familyComplete', target: 'completed' },
      on: { CHILD_COMPLETED: CHILD_COMPLETION },
    },
    cancelled: {
      always: { guard: 'familyComplete', target: 'completed' },
      on: { CHILD_COMPLETED: CHILD_COMPLETION },
    },
    completed: { entry: completing('strict'), on: AFTER_COMPLETION },
    completedEndOfDay: { entry: completing('endOfDay'), on: AFTER_COMPLETION },
  },
});

export type InstrumentOrderMachine = typeof instrumentOrderMachine;
