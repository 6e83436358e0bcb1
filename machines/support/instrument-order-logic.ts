/**
 * Pure helpers of machines/instrument-order.ts: the context after a child event (what its guards
 * look ahead with and its actions assign, computed once per event, see `lookahead.ts`) and the
 * events it emits. No xstate here.
 */
import {
  addChildren,
  type CompletionMode,
  classifyFamily,
  correctChildFill,
  type FamilyKind,
  type Fill,
  familyPassesFillsUp,
  isFamilyComplete,
  isFullyFilled,
  isZeroQty,
  markChildCompleted,
  parentFillFromChild,
  recordChildFill,
} from '../../src/domain/orders/index.ts';
import type { ChildSpec } from './children.ts';
import type {
  InstrumentOrderContext,
  InstrumentOrderEmitted,
  InstrumentOrderEvent,
} from './instrument-order-types.ts';
import { lookahead } from './lookahead.ts';

type Ctx = InstrumentOrderContext;
type Ev = InstrumentOrderEvent;
type Step = { readonly ctx: Ctx; readonly emitted: InstrumentOrderEmitted[] };

function toParentFor(family: FamilyKind): ((f: Fill) => Fill) | null {
  return familyPassesFillsUp(family) ? parentFillFromChild : null;
}

export const ownFillComplete = (c: Ctx): boolean => isFullyFilled(c.order.trade, c.ledger.fill);
export const hasOwnFill = (c: Ctx): boolean => !isZeroQty(c.ledger.fill);
export const familyComplete = (c: Ctx): boolean =>
  isFamilyComplete('strict', c.order.trade, c.ledger.fill, c.children);

/** The context after recording a child fill. */
function afterChildFill(ctx: Ctx, childId: string, fill: Fill): Ctx {
  return { ...ctx, ...recordChildFill(ctx, childId, fill, toParentFor(ctx.family)).state };
}

/** A contract child's fill (CHILD_FILL): the context after it and what the order reports. */
export const childFillStep = lookahead((context: Ctx, event: Ev): Step => {
  if (event.type !== 'CHILD_FILL') return { ctx: context, emitted: [] };
  const orderId = context.order.orderId;
  const { childId, fill } = event;
  const r = recordChildFill(context, childId, fill, toParentFor(context.family));
  const ctx: Ctx = { ...context, ...r.state };
  const o = r.outcome;
  const emitted: InstrumentOrderEmitted[] = [];
  if (o.kind === 'duplicate') emitted.push({ type: 'duplicateFill', orderId, childId, fillId: fill.fillId });
  else if (o.kind === 'invalid')
    emitted.push({ type: 'invalidFill', orderId, childId, fillId: fill.fillId, reason: o.reason });
  else if (o.kind === 'unknownChild')
    emitted.push({ type: 'unknownChildFill', orderId, childId, fillId: fill.fillId });
  else if (o.parentFill) {
    emitted.push({
      type: 'fillApplied',
      orderId,
      strategyName: context.order.strategyName,
      instrumentCode: context.order.instrumentCode,
      childId,
      fill: o.parentFill,
      delta: [...o.parentFill.qty],
      cumulativeFill: [...ctx.ledger.fill],
      filledPrice: ctx.ledger.filledPrice,
    });
    if (o.kind === 'overfilled')
      emitted.push({ type: 'overfilled', orderId, fillId: fill.fillId, overfill: [...o.overfill] });
  }
  return { ctx, emitted };
});

/** A correction of a child fill this order holds, or undefined (nothing changes). */
export const correctionOf = lookahead((context: Ctx, event: Ev) =>
  event.type === 'CHILD_FILL_CORRECTED'
    ? correctChildFill(context, event.childId, event.original, event.corrected, toParentFor(context.family))
    : undefined,
);

/** A correction of a child fill: the context after it and `fillCorrected`, or `ignored`. */
export function correctionStep(context: Ctx, event: Ev): Step {
  if (event.type !== 'CHILD_FILL_CORRECTED') return { ctx: context, emitted: [] };
  const { childId, original } = event;
  const orderId = context.order.orderId;
  const r = correctionOf(context, event);
  if (!r) {
    const reason = `correction of fill ${original.fillId} not held for child ${childId}`;
    return { ctx: context, emitted: [{ type: 'ignored', orderId, eventType: event.type, reason }] };
  }
  const ctx: Ctx = { ...context, ...r.state };
  const { fill, filledPrice } = ctx.ledger;
  return {
    ctx,
    emitted: [
      {
        type: 'fillCorrected',
        orderId,
        childId,
        fillId: original.fillId,
        cumulativeFill: [...fill],
        filledPrice,
      },
    ],
  };
}

/** Contract children attached (CHILDREN_SPAWNED, or the input's children): parked fills applied. */
export function withChildren(context: Ctx, children: readonly ChildSpec[]): Ctx {
  const added = addChildren(context, children);
  let next: Ctx = { ...context, ...added.state };
  next = { ...next, family: classifyFamily(context.order.trade, next.children) };
  for (const p of added.released) next = afterChildFill(next, p.childId, p.fill);
  return next;
}

/** A contract child's family completed (CHILD_COMPLETED): the context after it, or undefined. */
export const childCompleted = lookahead((context: Ctx, event: Ev): Ctx | undefined => {
  if (event.type !== 'CHILD_COMPLETED') return undefined;
  const next = markChildCompleted(context, event.childId);
  return next ? { ...context, children: next.children } : undefined;
});

/** What the order reports when it completes (strictly, or at end of day). */
export function completedEvent(ctx: Ctx, mode: CompletionMode): InstrumentOrderEmitted {
  return {
    type: 'completed',
    orderId: ctx.order.orderId,
    mode,
    fill: [...ctx.ledger.fill],
    filledPrice: ctx.ledger.filledPrice,
    fillDatetime: ctx.ledger.fillDatetime,
    childIds: ctx.children.map((c) => c.orderId),
  };
}

/** What a completed order reports when a correction amended its fill (the history is rewritten). */
export function amendedEvent(ctx: Ctx, fillId: string): InstrumentOrderEmitted {
  return {
    type: 'completionAmended',
    orderId: ctx.order.orderId,
    mode: ctx.completion ?? 'strict',
    fillId,
    fill: [...ctx.ledger.fill],
    filledPrice: ctx.ledger.filledPrice,
    fillDatetime: ctx.ledger.fillDatetime,
  };
}
