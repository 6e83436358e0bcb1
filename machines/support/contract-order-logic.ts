/**
 * Pure helpers of machines/contract-order.ts: the context after a child event (what its guards
 * look ahead with and its actions assign), and the events it emits on completing. No xstate here.
 */
import {
  type CompletionMode,
  correctChildFill,
  type Fill,
  isFamilyComplete,
  isFullyFilled,
  isZeroQty,
  recordChildFill,
  remainingQty,
} from '../../src/domain/orders/index.ts';
import type {
  ContractOrderContext,
  ContractOrderEmitted,
  ContractOrderEvent,
} from './contract-order-types.ts';
import { lookahead } from './lookahead.ts';

type Ctx = ContractOrderContext;

/** Record a broker child's fill; a child whose fill reaches its trade is settled. */
export function withChildFill(ctx: Ctx, childId: string, fill: Fill) {
  const r = recordChildFill(ctx, childId, fill, (f) => f);
  const children = r.state.children.map((c) =>
    !c.completed && isFullyFilled(c.trade, c.fill) ? { ...c, completed: true } : c,
  );
  return { ctx: { ...ctx, ...r.state, children }, outcome: r.outcome };
}

export const ownFillComplete = (c: Ctx): boolean => isFullyFilled(c.order.trade, c.ledger.fill);
export const hasOwnFill = (c: Ctx): boolean => !isZeroQty(c.ledger.fill);
export const familyComplete = (c: Ctx): boolean =>
  isFamilyComplete('strict', c.order.trade, c.ledger.fill, c.children);

/** Broker children that may still trade: not settled (filled, rejected) and not cancelled. */
export const workingChildIds = (c: Ctx): string[] =>
  c.children
    .filter((ch) => !ch.completed && !c.cancelledChildIds.includes(ch.orderId))
    .map((ch) => ch.orderId);

/** The context after a child event (fill, cancel, reject); other events leave it as it is. */
export function afterChildEvent(ctx: Ctx, event: ContractOrderEvent): Ctx {
  const known = (id: string) => ctx.children.some((c) => c.orderId === id);
  if (event.type === 'CHILD_FILL') return childFillStep(ctx, event).ctx;
  if (event.type === 'CHILD_CANCELLED' && known(event.childId))
    return ctx.cancelledChildIds.includes(event.childId)
      ? ctx
      : { ...ctx, cancelledChildIds: [...ctx.cancelledChildIds, event.childId] };
  if (event.type === 'CHILD_REJECTED' && known(event.childId))
    return {
      ...ctx,
      rejectedChildIds: [...new Set([...ctx.rejectedChildIds, event.childId])],
      children: ctx.children.map((c) => (c.orderId === event.childId ? { ...c, completed: true } : c)),
    };
  return ctx;
}

/** The correction of a child fill this order holds (undefined when it holds no such fill). */
export function correctionOf(ctx: Ctx, event: ContractOrderEvent) {
  if (event.type !== 'CHILD_FILL_CORRECTED') return undefined;
  const r = correctChildFill(ctx, event.childId, event.original, event.corrected, (f) => f);
  if (!r?.parent) return undefined;
  // A child a correction fills to its trade is settled too, as by a fill (withChildFill).
  const children = r.state.children.map((c) =>
    !c.completed && isFullyFilled(c.trade, c.fill) ? { ...c, completed: true } : c,
  );
  return { state: { ...r.state, children }, parent: r.parent };
}

/** What the order reports when it completes (strictly, or at end of day). */
export function completedEvent(ctx: Ctx, mode: CompletionMode): ContractOrderEmitted {
  return {
    type: 'completed',
    orderId: ctx.order.orderId,
    parentId: ctx.order.parentId,
    mode,
    fill: [...ctx.ledger.fill],
    filledPrice: ctx.ledger.filledPrice,
    fillDatetime: ctx.ledger.fillDatetime,
    childIds: ctx.children.map((c) => c.orderId),
  };
}

/** What a completed order reports when a correction amended its fill (the history is rewritten). */
export function amendedEvent(ctx: Ctx, fillId: string): ContractOrderEmitted {
  return {
    type: 'completionAmended',
    orderId: ctx.order.orderId,
    parentId: ctx.order.parentId,
    mode: ctx.completion ?? 'strict',
    fillId,
    fill: [...ctx.ledger.fill],
    filledPrice: ctx.ledger.filledPrice,
    fillDatetime: ctx.ledger.fillDatetime,
  };
}

/** What the order reports when its algo lock goes (at once, or once its working child settled). */
export function releasedEvent(ctx: Ctx, algo: string): ContractOrderEmitted {
  return {
    type: 'algoReleased',
    orderId: ctx.order.orderId,
    algo,
    remaining: remainingQty(ctx.order.trade, ctx.ledger.fill),
  };
}

type Step = { ctx: Ctx; emitted: ContractOrderEmitted[] };

/**
 * A broker child's fill at this order (CHILD_FILL): the context after it and what the order
 * reports. Computed once per (context, event) for the guards and the action (`lookahead.ts`).
 */
export const childFillStep = lookahead((context: Ctx, event: ContractOrderEvent): Step => {
  if (event.type !== 'CHILD_FILL') return { ctx: context, emitted: [] };
  const { childId, fill } = event;
  const orderId = context.order.orderId;
  const { ctx, outcome: o } = withChildFill(context, childId, fill);
  const emitted: ContractOrderEmitted[] = [];
  if (o.kind === 'duplicate') emitted.push({ type: 'duplicateFill', orderId, childId, fillId: fill.fillId });
  else if (o.kind === 'invalid')
    emitted.push({ type: 'invalidFill', orderId, childId, fillId: fill.fillId, reason: o.reason });
  else if (o.kind === 'unknownChild')
    emitted.push({ type: 'unknownChildFill', orderId, childId, fillId: fill.fillId });
  else if (o.parentFill) {
    emitted.push({
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
      emitted.push({ type: 'overfilled', orderId, fillId: fill.fillId, overfill: [...o.overfill] });
  }
  return { ctx, emitted };
});

/** A correction of a child fill: the context after it and `fillCorrected`, or `ignored`. */
export function correctionStep(context: Ctx, event: ContractOrderEvent): Step {
  if (event.type !== 'CHILD_FILL_CORRECTED') return { ctx: context, emitted: [] };
  const { childId, original } = event;
  const orderId = context.order.orderId;
  const r = correctionOf(context, event);
  if (!r) {
    const reason = `correction of fill ${original.fillId} not held for child ${childId}`;
    return { ctx: context, emitted: [{ type: 'ignored', orderId, eventType: event.type, reason }] };
  }
  const ctx = { ...context, ...r.state };
  return {
    ctx,
    emitted: [
      {
        type: 'fillCorrected',
        orderId,
        parentId: context.order.parentId,
        childId,
        original: r.parent.original,
        corrected: r.parent.corrected,
        cumulativeFill: [...ctx.ledger.fill],
        filledPrice: ctx.ledger.filledPrice,
      },
    ],
  };
}

/** A broker child cancelled or rejected: the context after it, or `ignored` for an unknown child. */
export function childSettledStep(context: Ctx, event: ContractOrderEvent): Step {
  if (event.type !== 'CHILD_CANCELLED' && event.type !== 'CHILD_REJECTED')
    return { ctx: context, emitted: [] };
  if (context.children.some((c) => c.orderId === event.childId))
    return { ctx: afterChildEvent(context, event), emitted: [] };
  const reason = `unknown child ${event.childId}`;
  return {
    ctx: context,
    emitted: [{ type: 'ignored', orderId: context.order.orderId, eventType: event.type, reason }],
  };
}
