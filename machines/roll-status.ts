/**
 * Roll status machine, one actor per instrument (digest §3; `sysobjects/production/roll_state.py`,
 * `interactive_update_roll_status.py`).
 *
 * Public API
 * - `rollStatusMachine`, started with `RollStatusInput` ({ instrumentCode, state? }: the stored
 *   state to start from, default No_Roll).
 * - `RollStatusEvent`:
 *   - CHANGE { to, pricedPosition }: a change asked for by a person or the auto rule; allowed
 *     only as the table of digest §3.2 says for the priced-contract position (Roll_Adjusted only
 *     when it is zero). A refused change stays put and emits `refused` with the reason.
 *   - POSITION_CHECKED { pricedPosition }: Force, Force_Outright and Close with nothing left in
 *     the priced contract auto-downgrade to Passive (C2).
 *   - PRICE_ROLL_DONE / PRICE_ROLL_FAILED: the outcome of the price roll asked for on entering
 *     Roll_Adjusted: done → No_Roll; failed or declined → back to the state before (§3.3.2).
 * - `RollStatusEmitted`: `changed`, `refused`, and the side effects for the host to perform:
 *   `reduceOnlyOverrideAdded` / `reduceOnlyOverrideRemoved` (entering / leaving No_Open, §3.3.1),
 *   `priceRollRequested` (entering Roll_Adjusted), `tradeLimitWarning` (entering Force,
 *   Force_Outright or Close, §3.3.3 / F9).
 */
import { assign, emit, setup } from 'xstate';
import {
  allowedRollStates,
  downgradedRollState,
  requiresOrderGeneration,
  ROLL_STATES,
  type RollState,
  whyRollChangeRefused,
} from '../src/domain/rolls/roll-state.ts';

export interface RollStatusInput {
  readonly instrumentCode: string;
  readonly state?: RollState;
}

export interface RollStatusContext {
  readonly instrumentCode: string;
  /** The initial state asked for by the input (used once, at start). */
  readonly initial: RollState;
  /** The state before Roll_Adjusted, restored if the price roll fails. */
  readonly previous: RollState | null;
  readonly changedAt: number | null;
  readonly changedBy: string | null;
}

export type RollStatusEvent =
  | { type: 'CHANGE'; to: RollState; pricedPosition: number; at: number; by?: string }
  | { type: 'POSITION_CHECKED'; pricedPosition: number; at: number }
  | { type: 'PRICE_ROLL_DONE'; at: number }
  | { type: 'PRICE_ROLL_FAILED'; reason: string; at: number };

export type RollStatusEmitted =
  | { type: 'changed'; instrumentCode: string; from: RollState; to: RollState; at: number; by: string }
  | { type: 'refused'; instrumentCode: string; from: RollState; to: RollState; reason: string; at: number }
  | { type: 'reduceOnlyOverrideAdded'; instrumentCode: string }
  | { type: 'reduceOnlyOverrideRemoved'; instrumentCode: string }
  | { type: 'priceRollRequested'; instrumentCode: string }
  | { type: 'tradeLimitWarning'; instrumentCode: string; state: RollState };

type Params = { from: RollState; to: RollState };
const at = (e: RollStatusEvent) => e.at;
const by = (e: RollStatusEvent) => (e.type === 'CHANGE' ? (e.by ?? 'manual') : 'auto');

const machineSetup = setup({
  types: {
    context: {} as RollStatusContext,
    events: {} as RollStatusEvent,
    input: {} as RollStatusInput,
    emitted: {} as RollStatusEmitted,
  },
  guards: {
    startsIn: ({ context }, p: { state: RollState }) => context.initial === p.state,
    // One guard per column of the table (digest §3.2), so the diagram draws the table itself.
    anyPosition: ({ event }, p: Params) =>
      event.type === 'CHANGE' && event.to === p.to && Number.isSafeInteger(event.pricedPosition),
    flatInPriced: ({ event }, p: Params) =>
      event.type === 'CHANGE' && event.to === p.to && event.pricedPosition === 0,
    holdingPriced: ({ event }, p: Params) =>
      event.type === 'CHANGE' &&
      event.to === p.to &&
      Number.isSafeInteger(event.pricedPosition) &&
      event.pricedPosition !== 0,
    downgrades: ({ event }, p: { state: RollState }) =>
      event.type === 'POSITION_CHECKED' && downgradedRollState(p.state, event.pricedPosition) !== p.state,
    previousWas: ({ context }, p: { state: RollState }) => context.previous === p.state,
  },
  actions: {
    record: assign(({ event }) => ({ changedAt: at(event), changedBy: by(event) })),
    rememberPrevious: assign((_, p: { state: RollState }) => ({ previous: p.state })),
    forgetPrevious: assign({ previous: null }),
    reportChanged: emit(({ context, event }, p: Params) => ({
      type: 'changed' as const,
      instrumentCode: context.instrumentCode,
      from: p.from,
      to: p.to,
      at: at(event),
      by: by(event),
    })),
    refuse: emit(({ context, event }, p: { state: RollState }) => {
      const to = event.type === 'CHANGE' ? event.to : p.state;
      const position = event.type === 'CHANGE' ? event.pricedPosition : NaN;
      return {
        type: 'refused' as const,
        instrumentCode: context.instrumentCode,
        from: p.state,
        to,
        reason: whyRollChangeRefused(p.state, to, position) ?? `${p.state} → ${to} refused`,
        at: at(event),
      };
    }),
    addOverride: emit(({ context }) => ({
      type: 'reduceOnlyOverrideAdded' as const,
      instrumentCode: context.instrumentCode,
    })),
    removeOverride: emit(({ context }) => ({
      type: 'reduceOnlyOverrideRemoved' as const,
      instrumentCode: context.instrumentCode,
    })),
    requestPriceRoll: emit(({ context }) => ({
      type: 'priceRollRequested' as const,
      instrumentCode: context.instrumentCode,
    })),
    warnTradeLimits: emit(({ context }, p: { state: RollState }) => ({
      type: 'tradeLimitWarning' as const,
      instrumentCode: context.instrumentCode,
      state: p.state,
    })),
  },
});

/** Which column of the table allows from → to: any position, flat only, holding only, or none. */
function columnOf(
  from: RollState,
  to: RollState,
): 'anyPosition' | 'flatInPriced' | 'holdingPriced' | undefined {
  const flat = allowedRollStates(from, 0).includes(to);
  const holding = allowedRollStates(from, 1).includes(to);
  return flat && holding ? 'anyPosition' : flat ? 'flatInPriced' : holding ? 'holdingPriced' : undefined;
}

const changeTo = (
  from: RollState,
  to: RollState,
  column: 'anyPosition' | 'flatInPriced' | 'holdingPriced',
) => ({
  target: to,
  guard: { type: column, params: { from, to } },
  actions: [
    { type: 'record' as const },
    ...(to === 'Roll_Adjusted' ? [{ type: 'rememberPrevious' as const, params: { state: from } }] : []),
    { type: 'reportChanged' as const, params: { from, to } },
  ],
});

function rollState(state: RollState) {
  const others = ROLL_STATES.filter((s) => s !== state);
  return {
    entry: [
      ...(state === 'No_Open' ? [{ type: 'addOverride' as const }] : []),
      ...(state === 'Roll_Adjusted' ? [{ type: 'requestPriceRoll' as const }] : []),
      ...(requiresOrderGeneration(state) ? [{ type: 'warnTradeLimits' as const, params: { state } }] : []),
    ],
    exit:
      state === 'No_Open'
        ? [{ type: 'removeOverride' as const }]
        : state === 'Roll_Adjusted'
          ? [{ type: 'forgetPrevious' as const }]
          : [],
    on: {
      CHANGE: [
        // Asking for the state it is in changes nothing, where the table allows it at all.
        ...(columnOf(state, state)
          ? [{ guard: { type: columnOf(state, state)!, params: { from: state, to: state } } }]
          : []),
        ...others.flatMap((to) => {
          const column = columnOf(state, to);
          return column ? [changeTo(state, to, column)] : [];
        }),
        { actions: { type: 'refuse' as const, params: { state } } },
      ],
      ...(requiresOrderGeneration(state)
        ? {
            POSITION_CHECKED: {
              guard: { type: 'downgrades' as const, params: { state } },
              target: 'Passive',
              actions: [
                { type: 'record' as const },
                { type: 'reportChanged' as const, params: { from: state, to: 'Passive' as const } },
              ],
            },
          }
        : {}),
      ...(state === 'Roll_Adjusted'
        ? {
            PRICE_ROLL_DONE: {
              target: 'No_Roll',
              actions: [
                { type: 'record' as const },
                { type: 'reportChanged' as const, params: { from: state, to: 'No_Roll' as const } },
              ],
            },
            PRICE_ROLL_FAILED: others.map((to) => ({
              target: to,
              guard: { type: 'previousWas' as const, params: { state: to } },
              actions: [
                { type: 'record' as const },
                { type: 'reportChanged' as const, params: { from: state, to } },
              ],
            })),
          }
        : {}),
    },
  };
}

export const rollStatusMachine = machineSetup.createMachine({
  id: 'roll-status',
  context: ({ input }) => ({
    instrumentCode: input.instrumentCode,
    initial: input.state ?? 'No_Roll',
    previous: null,
    changedAt: null,
    changedBy: null,
  }),
  initial: 'start',
  states: {
    start: {
      always: ROLL_STATES.map((state) => ({
        target: state,
        guard: { type: 'startsIn' as const, params: { state } },
      })),
    },
    ...(Object.fromEntries(ROLL_STATES.map((s) => [s, rollState(s)])) as Record<
      RollState,
      ReturnType<typeof rollState>
    >),
  },
});
