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
import { emit, enqueueActions, setup } from 'xstate';
import {
  addChildren,
  type ChildSummary,
  type CompletionMode,
  classifyFamily,
  emptyLedger,
  type FamilyKind,
  type Fill,
  familyPassesFillsUp,
  isFamilyComplete,
  isFullyFilled,
  isZeroQty,
  markChildCompleted,
  parentFillFromChild,
  correctChildFill,
  recordChildFill,
} from '../src/domain/orders/index.ts';
import { childSpecProblem } from './support/children.ts';
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
import { FILL_TO_FILLED, FILL_TO_FILLED_OR_PARTIAL } from './support/child-fill-transitions.ts';
import { AFTER_COMPLETION } from './support/after-completion.ts';

type Ctx = InstrumentOrderContext;

function toParentFor(family: FamilyKind): ((f: Fill) => Fill) | null {
  return familyPassesFillsUp(family) ? parentFillFromChild : null;
}

/** The context after recording a child fill (used by guards to look ahead, and by the action). */
function afterChildFill(ctx: Ctx, childId: string, fill: Fill): Ctx {
  const r = recordChildFill(ctx, childId, fill, toParentFor(ctx.family));
  return { ...ctx, ...r.state };
}

const ownFillComplete = (c: Ctx) => isFullyFilled(c.order.trade, c.ledger.fill);
const hasOwnFill = (c: Ctx) => !isZeroQty(c.ledger.fill);

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
      const orderId = context.order.orderId;
      const { childId, fill } = event;
      const r = recordChildFill(context, childId, fill, toParentFor(context.family));
      enqueue.assign({ ...r.state });
      const o = r.outcome;
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
          strategyName: context.order.strategyName,
          instrumentCode: context.order.instrumentCode,
          childId,
          fill: o.parentFill,
          delta: [...o.parentFill.qty],
          cumulativeFill: [...r.state.ledger.fill],
          filledPrice: r.state.ledger.filledPrice,
        });
        if (o.kind === 'overfilled')
          enqueue.emit({ type: 'overfilled', orderId, fillId: fill.fillId, overfill: [...o.overfill] });
      }
    }),
    recordCorrection: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'CHILD_FILL_CORRECTED') return;
      const { childId, original, corrected } = event;
      const r = correctChildFill(context, childId, original, corrected, toParentFor(context.family));
      if (!r) {
        enqueue.emit({
          type: 'ignored',
          orderId: context.order.orderId,
          eventType: event.type,
          reason: `correction of fill ${original.fillId} not held for child ${childId}`,
        });
        return;
      }
      enqueue.assign({ ...r.state });
      enqueue.emit({
        type: 'fillCorrected',
        orderId: context.order.orderId,
        childId,
        fillId: original.fillId,
        cumulativeFill: [...r.state.ledger.fill],
        filledPrice: r.state.ledger.filledPrice,
      });
    }),
    addChildren: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'CHILDREN_SPAWNED') return;
      let next: Ctx = { ...context, ...addChildren(context, event.children).state };
      const released = addChildren(context, event.children).released;
      next = { ...next, family: classifyFamily(context.order.trade, next.children) };
      for (const p of released) next = afterChildFill(next, p.childId, p.fill);
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
      const next = markChildCompleted(context, event.childId);
      if (next) enqueue.assign({ children: next.children });
      else
        enqueue.emit({
          type: 'ignored',
          orderId: context.order.orderId,
          eventType: event.type,
          reason: `unknown child ${event.childId}`,
        });
    }),
    cancelChildren: emit(({ context, event }) => ({
      type: 'cancelChildren' as const,
      orderId: context.order.orderId,
      childIds: context.children.filter((c) => !c.completed).map((c) => c.orderId),
      reason: event.type === 'CANCEL' ? event.reason : 'cancel',
    })),
    setLocked: enqueueActions(({ event, enqueue }) => {
      enqueue.assign({ locked: event.type === 'LOCK' });
    }),
    complete: enqueueActions(({ context, enqueue }, params: { mode: CompletionMode }) => {
      enqueue.assign({ active: false, completion: params.mode });
      enqueue.emit({
        type: 'completed',
        orderId: context.order.orderId,
        mode: params.mode,
        fill: [...context.ledger.fill],
        filledPrice: context.ledger.filledPrice,
        fillDatetime: context.ledger.fillDatetime,
        childIds: context.children.map((c) => c.orderId),
      });
    }),
    amendCompletion: emit(({ context, event }) => ({
      type: 'completionAmended' as const,
      orderId: context.order.orderId,
      mode: context.completion ?? 'strict',
      fillId:
        event.type === 'CHILD_FILL_CORRECTED'
          ? event.original.fillId
          : event.type === 'CHILD_FILL'
            ? event.fill.fillId
            : '',
      fill: [...context.ledger.fill],
      filledPrice: context.ledger.filledPrice,
      fillDatetime: context.ledger.fillDatetime,
    })),
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
    childFillCompletesOrder: ({ context, event }) =>
      event.type === 'CHILD_FILL' && ownFillComplete(afterChildFill(context, event.childId, event.fill)),
    childFillPartlyFills: ({ context, event }) =>
      event.type === 'CHILD_FILL' && hasOwnFill(afterChildFill(context, event.childId, event.fill)),
    familyComplete: ({ context }) =>
      isFamilyComplete('strict', context.order.trade, context.ledger.fill, context.children),
    correctionHeld: ({ context, event }) =>
      event.type === 'CHILD_FILL_CORRECTED' &&
      correctChildFill(
        context,
        event.childId,
        event.original,
        event.corrected,
        toParentFor(context.family),
      ) !== undefined,
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
    if (!input.children || input.children.length === 0) return base;
    const withChildren = { ...base, ...addChildren(base, input.children).state };
    return { ...withChildren, family: classifyFamily(input.order.trade, withChildren.children) };
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
        CANCEL: { target: 'cancelled', actions: 'cancelChildren' },
      },
    },
    filled: {
      always: { guard: 'familyComplete', target: 'completed' },
    },
    cancelled: {
      always: { guard: 'familyComplete', target: 'completed' },
    },
    completed: { entry: { type: 'complete', params: { mode: 'strict' } }, on: AFTER_COMPLETION },
    completedEndOfDay: { entry: { type: 'complete', params: { mode: 'endOfDay' } }, on: AFTER_COMPLETION },
  },
});

export type InstrumentOrderMachine = typeof instrumentOrderMachine;
