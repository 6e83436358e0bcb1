/**
 * Instrument lock machine (digest §2 H1, H3, H4; §1.6 "Locks").
 *
 * Public API
 * - `instrumentLockMachine`, started with `InstrumentLockInput` ({ instrumentCode }).
 * - `InstrumentLockEvent`: POSITIONS_COMPARED (our contract positions and the broker's for this
 *   instrument, from the external-break check that runs every loop), LOCK / UNLOCK (manual, H4).
 * - `InstrumentLockEmitted`: `locked` (critical log: no new strategy orders, spawning or broker
 *   orders for this instrument, H3), `unlocked`, `breakPersists` (a manual unlock while a break
 *   remains is allowed but reported).
 *
 * States: unlocked → lockedByBreak (a position break) → unlocked again automatically when the
 * positions agree; lockedManually is left only by UNLOCK — a manual lock never auto-unlocks.
 * A break found while manually locked is recorded, and the lock stays manual.
 */
import { assign, emit, setup } from 'xstate';
import {
  type ContractPositions,
  contractPositionBreaks,
  type PositionBreak,
} from '../src/domain/orders/index.ts';

export interface InstrumentLockInput {
  readonly instrumentCode: string;
}

export interface InstrumentLockContext {
  readonly instrumentCode: string;
  /** Breaks found by the latest comparison. */
  readonly breaks: readonly PositionBreak[];
  readonly lastCheckedAt: number | null;
  readonly lockedAt: number | null;
  readonly reason: string | null;
}

export type InstrumentLockEvent =
  | { type: 'POSITIONS_COMPARED'; ours: ContractPositions; broker: ContractPositions; at: number }
  | { type: 'LOCK'; reason: string; at: number }
  | { type: 'UNLOCK'; at: number };

export type InstrumentLockEmitted =
  | {
      type: 'locked';
      instrumentCode: string;
      cause: 'positionBreak' | 'manual';
      reason: string;
      breaks: PositionBreak[];
      at: number;
    }
  | { type: 'unlocked'; instrumentCode: string; cause: 'positionsAgree' | 'manual'; at: number }
  | { type: 'breakPersists'; instrumentCode: string; breaks: PositionBreak[]; at: number };

function breaksOf(event: InstrumentLockEvent): PositionBreak[] {
  return event.type === 'POSITIONS_COMPARED' ? contractPositionBreaks(event.ours, event.broker) : [];
}

function describe(breaks: readonly PositionBreak[]): string {
  return breaks.map((b) => `${b.contractDate}: ours ${b.ours}, broker ${b.broker}`).join('; ');
}

export const instrumentLockMachine = setup({
  types: {
    context: {} as InstrumentLockContext,
    events: {} as InstrumentLockEvent,
    input: {} as InstrumentLockInput,
    emitted: {} as InstrumentLockEmitted,
  },
  actions: {
    recordCheck: assign(({ event }) => ({ breaks: breaksOf(event), lastCheckedAt: event.at })),
    lockForBreak: assign(({ event }) => ({
      lockedAt: event.at,
      reason: `position break: ${describe(breaksOf(event))}`,
    })),
    lockManually: assign(({ event }) => ({
      lockedAt: event.at,
      reason: event.type === 'LOCK' ? `manual: ${event.reason}` : 'manual',
    })),
    clearLock: assign({ lockedAt: null, reason: null }),
    reportLocked: emit(({ context, event }, params: { cause: 'positionBreak' | 'manual' }) => ({
      type: 'locked' as const,
      instrumentCode: context.instrumentCode,
      cause: params.cause,
      reason: context.reason ?? '',
      breaks: [...context.breaks],
      at: event.at,
    })),
    reportUnlocked: emit(({ context, event }, params: { cause: 'positionsAgree' | 'manual' }) => ({
      type: 'unlocked' as const,
      instrumentCode: context.instrumentCode,
      cause: params.cause,
      at: event.at,
    })),
    reportBreakPersists: emit(({ context, event }) => ({
      type: 'breakPersists' as const,
      instrumentCode: context.instrumentCode,
      breaks: [...context.breaks],
      at: event.at,
    })),
  },
  guards: {
    hasBreak: ({ event }) => breaksOf(event).length > 0,
    breakKnown: ({ context }) => context.breaks.length > 0,
  },
}).createMachine({
  id: 'instrumentLock',
  context: ({ input }) => ({
    instrumentCode: input.instrumentCode,
    breaks: [],
    lastCheckedAt: null,
    lockedAt: null,
    reason: null,
  }),
  initial: 'unlocked',
  states: {
    unlocked: {
      on: {
        POSITIONS_COMPARED: [
          {
            guard: 'hasBreak',
            target: 'lockedByBreak',
            actions: [
              'recordCheck',
              'lockForBreak',
              { type: 'reportLocked', params: { cause: 'positionBreak' } },
            ],
          },
          { actions: 'recordCheck' },
        ],
        LOCK: {
          target: 'lockedManually',
          actions: ['lockManually', { type: 'reportLocked', params: { cause: 'manual' } }],
        },
      },
    },
    lockedByBreak: {
      on: {
        POSITIONS_COMPARED: [
          { guard: 'hasBreak', actions: 'recordCheck' },
          {
            target: 'unlocked',
            actions: [
              'recordCheck',
              'clearLock',
              { type: 'reportUnlocked', params: { cause: 'positionsAgree' } },
            ],
          },
        ],
        LOCK: { target: 'lockedManually', actions: 'lockManually' },
        UNLOCK: {
          target: 'unlocked',
          actions: [
            'clearLock',
            { type: 'reportUnlocked', params: { cause: 'manual' } },
            'reportBreakPersists',
          ],
        },
      },
    },
    lockedManually: {
      on: {
        POSITIONS_COMPARED: { actions: 'recordCheck' },
        UNLOCK: [
          {
            guard: 'breakKnown',
            target: 'unlocked',
            actions: [
              'clearLock',
              { type: 'reportUnlocked', params: { cause: 'manual' } },
              'reportBreakPersists',
            ],
          },
          {
            target: 'unlocked',
            actions: ['clearLock', { type: 'reportUnlocked', params: { cause: 'manual' } }],
          },
        ],
      },
    },
  },
});

export type InstrumentLockMachine = typeof instrumentLockMachine;
