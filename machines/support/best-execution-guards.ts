/** The guards of the best-execution algo machine (machines/algo-best-execution.ts; digest §2 E2). */
import { adversePriceMove, isFullyFilled, isZeroQty } from '../../src/domain/orders/index.ts';
import { type Ctx, closing, type Ev, fillAfter, nowOf, past, sizeIssue, snapOf } from './best-execution.ts';

type Args = { context: Ctx; event: Ev };

export const bestExecutionGuards = {
  wrongOrderType: ({ context }: Args) => context.orderType !== 'best',
  nothingToDo: ({ context }: Args) => isZeroQty(context.trade),
  validSnapshot: ({ event }: Args) => snapOf(event) !== null,
  limitViable: ({ context, event }: Args) => {
    const s = snapOf(event);
    return s !== null && !sizeIssue(context, s) && !closing(context, nowOf(context, event));
  },
  pricesTimedOut: ({ context, event }: Args) =>
    event.type === 'CLOCK_TICK' && past(event.now, context.priceDeadline),
  totalTimedOut: ({ context, event }: Args) =>
    event.type === 'CLOCK_TICK' && past(event.now, context.totalDeadline),
  passiveOver: ({ context, event }: Args) =>
    event.type === 'CLOCK_TICK' && (past(event.now, context.passiveDeadline) || closing(context, event.now)),
  adverseMarket: ({ context, event }: Args) => {
    const s = snapOf(event);
    const ref = context.referenceSnapshot;
    return (
      s !== null &&
      ((ref !== null && adversePriceMove(context.side, ref, s)) ||
        sizeIssue(context, s) ||
        closing(context, s.at))
    );
  },
  fillCompletesAll: ({ context, event }: Args) =>
    isFullyFilled(context.trade, fillAfter(context, event).fill),
  isOurOrder: ({ context, event }: Args) => 'orderRef' in event && event.orderRef === context.orderRef,
  cancelWaitOver: ({ context, event }: Args) =>
    event.type === 'CLOCK_TICK' && past(event.now, context.cancelDeadline),
};
