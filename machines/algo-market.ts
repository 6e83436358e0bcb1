/**
 * Market algo (digest §2 E1): works the remaining quantity of a contract order as market orders,
 * one slice at a time (the smallest leg cut to `sliceSize`, one contract by default; a panic order
 * goes in one piece), each slice cancelled if not filled within `timeoutMs` (10 minutes).
 *
 * Public API
 * - `marketAlgoMachine`, started with `MarketAlgoInput`.
 * - `MarketAlgoEvent` = `AlgoBrokerEvent` (CLOCK_TICK, BROKER_ACK / FILL / CANCELLED / REJECTED,
 *   STOP). Deadlines are timestamps in context fired by CLOCK_TICK — no `after` timers, so a
 *   restored snapshot keeps its deadlines (stack-notes §3.2).
 * - `MarketAlgoEmitted` = `AlgoEmitted`: `placeBrokerOrder` (once per slice, with a deterministic
 *   orderRef), `cancelBrokerOrder`, `finished` (release the contract order, A3), `warning`.
 *
 * States: starting → working (a slice is at the broker) → cancelling → done. Each slice is cut from
 * what is still unfilled (trade − filled), so a partial fill is never re-sent at full size (the
 * reference re-sent panic orders in full, D1). Fills of earlier slices that arrive late still
 * count. On a cancel that is not confirmed within `cancelWaitMs` the algo finishes with a warning
 * (E1), leaving the broker order machine to catch any late fill.
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import {
  applyFill,
  type BrokerOrderType,
  cutToSmallestLeg,
  emptyLedger,
  type FillLedger,
  isFullyFilled,
  isZeroQty,
  MARKET_ALGO_DEFAULTS,
  remainingQty,
  subQty,
} from '../src/domain/orders/index.ts';
import {
  type AlgoBrokerEvent,
  type AlgoEmitted,
  type AlgoOutcome,
  advanceNow,
  orderRefFor,
} from './support/algo.ts';
import { lookahead } from './support/lookahead.ts';

export interface MarketAlgoInput {
  readonly algoId: string;
  readonly contractOrderId: string;
  /** What is left to do on the contract order (trade − fill), per leg. */
  readonly trade: readonly number[];
  readonly now: number;
  readonly brokerOrderType?: BrokerOrderType;
  readonly panic?: boolean;
  readonly sliceSize?: number;
  /** Per-slice timeout; null = never (the adaptive market algo). */
  readonly timeoutMs?: number | null;
  readonly cancelWaitMs?: number;
}

export interface MarketSlice {
  readonly orderRef: string;
  readonly trade: readonly number[];
  readonly placedAt: number;
  readonly deadline: number | null;
}

export interface MarketAlgoContext {
  readonly algoId: string;
  readonly contractOrderId: string;
  readonly trade: readonly number[];
  readonly brokerOrderType: BrokerOrderType;
  readonly panic: boolean;
  readonly sliceSize: number;
  readonly timeoutMs: number | null;
  readonly cancelWaitMs: number;
  readonly now: number;
  readonly ledger: FillLedger;
  readonly sliceCount: number;
  readonly slice: MarketSlice | null;
  /** Fill of the whole algo when the current slice was placed. */
  readonly fillAtSliceStart: readonly number[];
  readonly cancelDeadline: number | null;
  readonly outcome: AlgoOutcome | null;
}

export type MarketAlgoEvent = AlgoBrokerEvent;
export type MarketAlgoEmitted = AlgoEmitted;

type Ctx = MarketAlgoContext;

/** The fill applied to the ledger, once per (context, event) for the guards and the action. */
const fillResult = lookahead((c: Ctx, e: MarketAlgoEvent) =>
  e.type === 'BROKER_FILL' ? applyFill(c.ledger, e.fill) : undefined,
);
const fillAfter = (c: Ctx, e: MarketAlgoEvent) => fillResult(c, e)?.ledger ?? c.ledger;
const isCurrent = (c: Ctx, e: MarketAlgoEvent) => 'orderRef' in e && c.slice?.orderRef === e.orderRef;
const tickNow = (e: MarketAlgoEvent) => (e.type === 'CLOCK_TICK' ? e.now : undefined);

/** The next slice: what is still unfilled, cut to the slice size (a panic order goes whole). */
const nextSlice = lookahead((c: Ctx, _e: MarketAlgoEvent | { type: string }) => {
  const remaining = remainingQty(c.trade, c.ledger.fill);
  const n = c.sliceCount + 1;
  const trade = c.panic ? remaining : cutToSmallestLeg(remaining, c.sliceSize);
  return {
    n,
    orderRef: orderRefFor(c.algoId, n),
    trade,
    deadline: c.timeoutMs === null ? null : c.now + c.timeoutMs,
  };
});
const outcome = (o: AlgoOutcome) => ({ type: 'setOutcome', params: { outcome: o } }) as const;
/** Apply the fill that ends the algo and set its outcome, in one context update. */
const applyLastFill = { type: 'applyFill', params: { outcome: 'filled' } } as const;

export const marketAlgoMachine = setup({
  types: {
    context: {} as MarketAlgoContext,
    events: {} as MarketAlgoEvent,
    input: {} as MarketAlgoInput,
    emitted: {} as MarketAlgoEmitted,
  },
  actions: {
    // Placing a slice is two static actions (ask the host to place it, then record it).
    placeSlice: emit(({ context, event }) => {
      const { orderRef, trade } = nextSlice(context, event);
      const { algoId, contractOrderId, brokerOrderType: orderType } = context;
      const place = { algoId, contractOrderId, orderRef, trade, orderType, limitPrice: null, snapshot: null };
      return { type: 'placeBrokerOrder' as const, ...place };
    }),
    recordSlice: assign(({ context, event }) => {
      const { n, orderRef, trade, deadline } = nextSlice(context, event);
      const slice = { orderRef, trade, placedAt: context.now, deadline };
      return { sliceCount: n, slice, fillAtSliceStart: [...context.ledger.fill] };
    }),
    applyFill: enqueueActions(({ context, event, enqueue }, params?: { outcome: AlgoOutcome }) => {
      const r = fillResult(context, event);
      if (event.type !== 'BROKER_FILL' || !r) return;
      if (r.outcome.kind === 'duplicate' || r.outcome.kind === 'invalid') {
        enqueue.emit({
          type: 'ignored',
          algoId: context.algoId,
          eventType: event.type,
          reason: r.outcome.kind === 'invalid' ? r.outcome.reason : `duplicate fill ${event.fill.fillId}`,
        });
        if (params) enqueue.assign({ outcome: params.outcome });
        return;
      }
      const now = advanceNow(context.now, event.fill.datetime);
      enqueue.assign(params ? { ledger: r.ledger, now, outcome: params.outcome } : { ledger: r.ledger, now });
    }),
    updateNow: assign({ now: ({ context, event }) => advanceNow(context.now, tickNow(event)) }),
    setOutcome: assign({ outcome: (_, params: { outcome: AlgoOutcome }) => params.outcome }),
    requestCancel: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ cancelDeadline: context.now + context.cancelWaitMs });
      if (context.slice)
        enqueue.emit({ type: 'cancelBrokerOrder', algoId: context.algoId, orderRef: context.slice.orderRef });
    }),
    warnCancelUnconfirmed: emit(({ context }) => ({
      type: 'warning' as const,
      algoId: context.algoId,
      message: `cancel of ${context.slice?.orderRef ?? '?'} not confirmed after ${context.cancelWaitMs} ms`,
    })),
    finish: emit(({ context }) => ({
      type: 'finished' as const,
      algoId: context.algoId,
      contractOrderId: context.contractOrderId,
      outcome: context.outcome ?? 'filled',
      filled: [...context.ledger.fill],
      remaining: remainingQty(context.trade, context.ledger.fill),
    })),
    reportIgnored: emit(({ context, event }) => ({
      type: 'ignored' as const,
      algoId: context.algoId,
      eventType: event.type,
      reason: 'not for the current broker order or not applicable in this state',
    })),
  },
  guards: {
    nothingToDo: ({ context }) => isZeroQty(context.trade),
    advancesNow: ({ context, event }) => advanceNow(context.now, tickNow(event)) !== context.now,
    fillCompletesAll: ({ context, event }) => isFullyFilled(context.trade, fillAfter(context, event).fill),
    fillCompletesSlice: ({ context, event }) =>
      context.slice !== null &&
      isFullyFilled(context.slice.trade, subQty(fillAfter(context, event).fill, context.fillAtSliceStart)),
    sliceTimedOut: ({ context, event }) => {
      const now = tickNow(event);
      return now !== undefined && context.slice?.deadline != null && now >= context.slice.deadline;
    },
    cancelWaitOver: ({ context, event }) => {
      const now = tickNow(event);
      return now !== undefined && context.cancelDeadline !== null && now >= context.cancelDeadline;
    },
    isCurrentOrder: ({ context, event }) => isCurrent(context, event),
    notClockTick: ({ event }) => event.type !== 'CLOCK_TICK',
  },
}).createMachine({
  id: 'algoMarket',
  context: ({ input }) => ({
    algoId: input.algoId,
    contractOrderId: input.contractOrderId,
    trade: [...input.trade],
    brokerOrderType: input.brokerOrderType ?? 'market',
    panic: input.panic ?? false,
    sliceSize: input.sliceSize ?? MARKET_ALGO_DEFAULTS.sliceSize,
    timeoutMs: input.timeoutMs === undefined ? MARKET_ALGO_DEFAULTS.timeoutMs : input.timeoutMs,
    cancelWaitMs: input.cancelWaitMs ?? MARKET_ALGO_DEFAULTS.cancelWaitMs,
    now: input.now,
    ledger: emptyLedger(input.trade),
    sliceCount: 0,
    slice: null,
    fillAtSliceStart: input.trade.map(() => 0),
    cancelDeadline: null,
    outcome: null,
  }),
  initial: 'starting',
  on: {
    // A tick that does not move the algo's time changes nothing: no transition is taken at all
    // (not an empty one, which xstate would still run as a microstep), and it is not reported.
    CLOCK_TICK: { guard: 'advancesNow', actions: 'updateNow' },
    BROKER_FILL: { actions: 'applyFill' },
    '*': { guard: 'notClockTick', actions: 'reportIgnored' },
  },
  states: {
    starting: {
      always: [
        {
          guard: 'nothingToDo',
          target: 'done',
          actions: outcome('nothingToDo'),
        },
        { target: 'working' },
      ],
    },
    working: {
      entry: ['placeSlice', 'recordSlice'],
      on: {
        BROKER_FILL: [
          {
            guard: 'fillCompletesAll',
            target: 'done',
            actions: applyLastFill,
          },
          { guard: 'fillCompletesSlice', target: 'working', reenter: true, actions: 'applyFill' },
          { actions: 'applyFill' },
        ],
        CLOCK_TICK: [
          {
            guard: 'sliceTimedOut',
            target: 'cancelling',
            actions: ['updateNow', outcome('timeout')],
          },
          { guard: 'advancesNow', actions: 'updateNow' },
        ],
        BROKER_ACK: { actions: [] },
        BROKER_CANCELLED: [
          {
            guard: 'isCurrentOrder',
            target: 'done',
            actions: outcome('cancelledByBroker'),
          },
          { actions: 'reportIgnored' },
        ],
        BROKER_REJECTED: [
          {
            guard: 'isCurrentOrder',
            target: 'done',
            actions: outcome('rejected'),
          },
          { actions: 'reportIgnored' },
        ],
        STOP: { target: 'cancelling', actions: outcome('stopped') },
      },
    },
    cancelling: {
      entry: 'requestCancel',
      on: {
        BROKER_FILL: [
          {
            guard: 'fillCompletesAll',
            target: 'done',
            actions: applyLastFill,
          },
          { actions: 'applyFill' },
        ],
        BROKER_CANCELLED: [{ guard: 'isCurrentOrder', target: 'done' }, { actions: 'reportIgnored' }],
        BROKER_REJECTED: [{ guard: 'isCurrentOrder', target: 'done' }, { actions: 'reportIgnored' }],
        CLOCK_TICK: [
          { guard: 'cancelWaitOver', target: 'done', actions: ['updateNow', 'warnCancelUnconfirmed'] },
          { guard: 'advancesNow', actions: 'updateNow' },
        ],
        BROKER_ACK: { actions: [] },
        STOP: { actions: [] },
      },
    },
    // Every transition here sets the outcome (cancelling keeps the one it was entered with).
    done: { type: 'final', entry: 'finish' },
  },
});

export type MarketAlgoMachine = typeof marketAlgoMachine;
