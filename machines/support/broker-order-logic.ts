/**
 * Pure helpers of machines/broker-order.ts: a fill or a correction at the order (the ledger after
 * it and what the order reports), computed once per (context, event) for the guards and the action
 * (`lookahead.ts`). No xstate here.
 */
import { applyFill, correctFill, type FillLedger } from '../../src/domain/orders/index.ts';
import type { BrokerOrderContext, BrokerOrderEmitted, BrokerOrderEvent } from './broker-order-types.ts';
import { lookahead } from './lookahead.ts';

type Ctx = BrokerOrderContext;
type Ev = BrokerOrderEvent;
/** The ledger after the event (undefined when it changes nothing) and what the order reports. */
type Step = { readonly ledger: FillLedger | undefined; readonly emitted: BrokerOrderEmitted[] };

/** The ledger after a FILL (the same ledger for a duplicate or invalid fill, or another event). */
export const fillResult = lookahead((context: Ctx, event: Ev) =>
  event.type === 'FILL' ? applyFill(context.ledger, event.fill) : undefined,
);

export function fillStep(context: Ctx, event: Ev, late: 'cancel' | 'reject' | undefined): Step {
  const r = fillResult(context, event);
  if (event.type !== 'FILL' || !r) return { ledger: undefined, emitted: [] };
  const { orderId, parentId, orderRef } = context.order;
  const fillId = event.fill.fillId;
  const o = r.outcome;
  if (o.kind === 'duplicate')
    return { ledger: undefined, emitted: [{ type: 'duplicateFill', orderId, fillId }] };
  if (o.kind === 'invalid')
    return { ledger: undefined, emitted: [{ type: 'invalidFill', orderId, fillId, reason: o.reason }] };
  const emitted: BrokerOrderEmitted[] = [
    {
      type: 'fillApplied',
      orderId,
      parentId,
      orderRef,
      fill: event.fill,
      cumulativeFill: [...r.ledger.fill],
      filledPrice: r.ledger.filledPrice,
    },
  ];
  if (o.kind === 'overfilled')
    emitted.push({ type: 'overfilled', orderId, fillId, overfill: [...o.overfill] });
  if (late) emitted.push({ type: 'lateFill', orderId, fillId, after: late });
  return { ledger: r.ledger, emitted };
}

export function correctionStep(context: Ctx, event: Ev): Step {
  if (event.type !== 'FILL_CORRECTED') return { ledger: undefined, emitted: [] };
  const { orderId, parentId } = context.order;
  const r = correctFill(context.ledger, event.original, event.corrected);
  if (!r.applied) {
    const reason = `correction of fill ${event.original.fillId} not applied to this order`;
    return { ledger: undefined, emitted: [{ type: 'ignored', orderId, eventType: event.type, reason }] };
  }
  const { original, corrected } = event;
  const { fill, filledPrice } = r.ledger;
  return {
    ledger: r.ledger,
    emitted: [
      {
        type: 'fillCorrected',
        orderId,
        parentId,
        original,
        corrected,
        cumulativeFill: [...fill],
        filledPrice,
      },
    ],
  };
}
