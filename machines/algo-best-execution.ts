/**
 * Best-execution algo, "original best" (digest §2 E2; qoppac.blogspot.com 2014/10 "the world's
 * simplest execution algorithm").
 *
 * Public API
 * - `bestExecutionAlgoMachine`, started with `BestExecutionAlgoInput`.
 * - `BestExecutionAlgoEvent` = `AlgoBrokerEvent` plus PRICE_SNAPSHOT (top of book), PRICE_DATA_ERROR,
 *   BROKER_MODIFIED and BROKER_MODIFY_REJECTED.
 * - `BestExecutionAlgoEmitted` = `AlgoEmitted`: one `placeBrokerOrder`, then `modifyBrokerOrder`s,
 *   `cancelBrokerOrder`, `finished`, `warning`.
 *
 * Rules (E2): only `best` contract orders (others finish at once as `rejectedOrderType`, the host
 * releases the order); the smallest leg is cut to SIZE_LIMIT = 1; wait up to 10 s for a valid bid
 * and ask (else `noPrices`, no trade). If a limit is viable — no adverse size issue (imbalance > 5
 * and side size < 3·|qty|) and more than 0.5 h to the close — rest a passive limit at the
 * **offside** price (the bid when buying, as the digest's code reading says), rounded to the tick;
 * otherwise send a market order. While passive, turn aggressive on the first of: 300 s since
 * submission, market about to close, an adverse price move against the reference snapshot, an
 * adverse size issue, a price-data error. Aggressive keeps the limit at the current **side** price
 * (the ask when buying), with at most one modification in flight and only when the price changed
 * (the reference spun 1.8M modifications, #949). At 600 s the order is cancelled (wait ≤ 60 s).
 *
 * The algo places exactly one broker order and only modifies it: it never re-sends a quantity, so a
 * partial fill is never sent again at full size (D1, #1580). `finished.remaining` is what is left.
 * Deadlines are timestamps in context fired by CLOCK_TICK (stack-notes §3.2).
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import { offsidePrice, remainingQty, roundToTick, sidePrice } from '../src/domain/orders/index.ts';
import { type AlgoOutcome, advanceNow } from './support/algo.ts';
import {
  type BestExecutionAlgoContext,
  type BestExecutionAlgoEmitted,
  type BestExecutionAlgoEvent,
  type BestExecutionAlgoInput,
  fillResult,
  initialContext,
  nowOf,
  snapOf,
} from './support/best-execution.ts';
import { bestExecutionGuards } from './support/best-execution-guards.ts';

export type {
  BestExecutionAlgoContext,
  BestExecutionAlgoEmitted,
  BestExecutionAlgoEvent,
  BestExecutionAlgoInput,
  BestExecutionConfig,
} from './support/best-execution.ts';

const outcome = (o: AlgoOutcome) => ({ type: 'setOutcome', params: { outcome: o } }) as const;

/** Broker events while our order is working (passive or aggressive). */
const ORDER_WORKING = {
  BROKER_FILL: [
    { guard: 'fillCompletesAll', target: 'done', actions: ['applyFill', outcome('filled')] },
    { actions: 'applyFill' },
  ],
  BROKER_ACK: { actions: [] },
  BROKER_CANCELLED: [
    { guard: 'isOurOrder', target: 'done', actions: outcome('cancelledByBroker') },
    { actions: 'reportIgnored' },
  ],
  BROKER_REJECTED: [
    { guard: 'isOurOrder', target: 'done', actions: outcome('rejected') },
    { actions: 'reportIgnored' },
  ],
  STOP: { target: 'cancelling', actions: outcome('stopped') },
} as const;

export const bestExecutionAlgoMachine = setup({
  types: {
    context: {} as BestExecutionAlgoContext,
    events: {} as BestExecutionAlgoEvent,
    input: {} as BestExecutionAlgoInput,
    emitted: {} as BestExecutionAlgoEmitted,
  },
  actions: {
    observe: assign(({ context, event }) => {
      const s = snapOf(event);
      return { now: advanceNow(context.now, nowOf(context, event)), lastSnapshot: s ?? context.lastSnapshot };
    }),
    place: enqueueActions(({ context, enqueue }, params: { mode: 'limit' | 'market' }) => {
      const s = context.lastSnapshot;
      const limitPrice =
        params.mode === 'limit' && s ? roundToTick(offsidePrice(context.side, s), context.tickSize) : null;
      enqueue.assign({
        brokerOrderType: params.mode,
        limitPrice,
        submittedAt: context.now,
        passiveDeadline: context.now + context.config.passiveTimeoutMs,
        totalDeadline: context.now + context.config.totalTimeoutMs,
        referenceSnapshot: s,
        aggressiveReason: params.mode === 'market' ? 'limit not viable' : null,
      });
      enqueue.emit({
        type: 'placeBrokerOrder',
        algoId: context.algoId,
        contractOrderId: context.contractOrderId,
        orderRef: context.orderRef,
        trade: [...context.trade],
        orderType: params.mode,
        limitPrice,
        snapshot: s,
      });
    }),
    chaseSidePrice: enqueueActions(({ context, enqueue }, params: { reason?: string }) => {
      if (params.reason && !context.aggressiveReason) enqueue.assign({ aggressiveReason: params.reason });
      const s = context.lastSnapshot;
      if (context.brokerOrderType !== 'limit' || !s || context.modifyPending) return;
      const target = roundToTick(sidePrice(context.side, s), context.tickSize);
      if (target === context.limitPrice) return;
      enqueue.assign({ modifyPending: true });
      enqueue.emit({
        type: 'modifyBrokerOrder',
        algoId: context.algoId,
        orderRef: context.orderRef,
        limitPrice: target,
      });
    }),
    modifyAnswered: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'BROKER_MODIFIED')
        enqueue.assign({ modifyPending: false, limitPrice: event.limitPrice });
      if (event.type === 'BROKER_MODIFY_REJECTED') {
        enqueue.assign({ modifyPending: false });
        enqueue.emit({
          type: 'warning',
          algoId: context.algoId,
          message: `modify rejected: ${event.reason}`,
        });
      }
    }),
    applyFill: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'BROKER_FILL') return;
      const r = fillResult(context, event);
      if (!r) return;
      if (r.outcome.kind === 'duplicate' || r.outcome.kind === 'invalid') {
        const reason =
          r.outcome.kind === 'invalid' ? r.outcome.reason : `duplicate fill ${event.fill.fillId}`;
        enqueue.emit({ type: 'ignored', algoId: context.algoId, eventType: event.type, reason });
        return;
      }
      enqueue.assign({ ledger: r.ledger, now: advanceNow(context.now, event.fill.datetime) });
    }),
    setOutcome: assign({ outcome: (_, params: { outcome: AlgoOutcome }) => params.outcome }),
    requestCancel: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ cancelDeadline: context.now + context.config.cancelWaitMs });
      enqueue.emit({ type: 'cancelBrokerOrder', algoId: context.algoId, orderRef: context.orderRef });
    }),
    warnCancelUnconfirmed: emit(({ context }) => ({
      type: 'warning' as const,
      algoId: context.algoId,
      message: `cancel of ${context.orderRef} not confirmed after ${context.config.cancelWaitMs} ms`,
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
      reason: 'not for this broker order or not applicable in this state',
    })),
  },
  guards: bestExecutionGuards,
}).createMachine({
  id: 'algoBestExecution',
  context: ({ input }) => initialContext(input),
  initial: 'starting',
  on: {
    CLOCK_TICK: { actions: 'observe' },
    PRICE_SNAPSHOT: { actions: 'observe' },
    BROKER_FILL: { actions: 'applyFill' },
    BROKER_MODIFIED: { actions: 'modifyAnswered' },
    BROKER_MODIFY_REJECTED: { actions: 'modifyAnswered' },
    '*': { actions: 'reportIgnored' },
  },
  states: {
    starting: {
      always: [
        { guard: 'wrongOrderType', target: 'done', actions: outcome('rejectedOrderType') },
        { guard: 'nothingToDo', target: 'done', actions: outcome('nothingToDo') },
        { target: 'waitingForPrices' },
      ],
    },
    waitingForPrices: {
      on: {
        PRICE_SNAPSHOT: [
          {
            guard: 'limitViable',
            target: 'passive',
            actions: ['observe', { type: 'place', params: { mode: 'limit' } }],
          },
          {
            guard: 'validSnapshot',
            target: 'aggressive',
            actions: ['observe', { type: 'place', params: { mode: 'market' } }],
          },
          { actions: 'observe' },
        ],
        CLOCK_TICK: [
          { guard: 'pricesTimedOut', target: 'done', actions: ['observe', outcome('noPrices')] },
          { actions: 'observe' },
        ],
        STOP: { target: 'done', actions: outcome('stopped') },
        PRICE_DATA_ERROR: { actions: [] },
      },
    },
    passive: {
      on: {
        ...ORDER_WORKING,
        CLOCK_TICK: [
          { guard: 'totalTimedOut', target: 'cancelling', actions: ['observe', outcome('timeout')] },
          {
            guard: 'passiveOver',
            target: 'aggressive',
            actions: ['observe', { type: 'chaseSidePrice', params: { reason: 'passive time out or close' } }],
          },
          { actions: 'observe' },
        ],
        PRICE_SNAPSHOT: [
          {
            guard: 'adverseMarket',
            target: 'aggressive',
            actions: ['observe', { type: 'chaseSidePrice', params: { reason: 'adverse price or size' } }],
          },
          { actions: 'observe' },
        ],
        PRICE_DATA_ERROR: {
          target: 'aggressive',
          actions: { type: 'chaseSidePrice', params: { reason: 'price data error' } },
        },
      },
    },
    aggressive: {
      on: {
        ...ORDER_WORKING,
        CLOCK_TICK: [
          { guard: 'totalTimedOut', target: 'cancelling', actions: ['observe', outcome('timeout')] },
          { actions: 'observe' },
        ],
        PRICE_SNAPSHOT: { actions: ['observe', { type: 'chaseSidePrice', params: {} }] },
        PRICE_DATA_ERROR: { actions: [] },
      },
    },
    cancelling: {
      entry: 'requestCancel',
      on: {
        BROKER_FILL: [
          { guard: 'fillCompletesAll', target: 'done', actions: ['applyFill', outcome('filled')] },
          { actions: 'applyFill' },
        ],
        BROKER_CANCELLED: [{ guard: 'isOurOrder', target: 'done' }, { actions: 'reportIgnored' }],
        BROKER_REJECTED: [{ guard: 'isOurOrder', target: 'done' }, { actions: 'reportIgnored' }],
        CLOCK_TICK: [
          { guard: 'cancelWaitOver', target: 'done', actions: ['observe', 'warnCancelUnconfirmed'] },
          { actions: 'observe' },
        ],
        PRICE_SNAPSHOT: { actions: 'observe' },
        PRICE_DATA_ERROR: { actions: [] },
        BROKER_ACK: { actions: [] },
        STOP: { actions: [] },
      },
    },
    done: { type: 'final', entry: 'finish' },
  },
});

export type BestExecutionAlgoMachine = typeof bestExecutionAlgoMachine;
