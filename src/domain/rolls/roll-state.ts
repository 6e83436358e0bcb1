/**
 * Roll states (digest §3; pysystemtrade `sysobjects/production/roll_state.py` and
 * `sysproduction/interactive_update_roll_status.py`): the states, the manual transitions allowed
 * given the position in the priced contract, the predicates the order generator and the stack
 * use, the auto-downgrade, and the auto-suggest rule of the interactive roll tool.
 */

export const ROLL_STATES = [
  'No_Roll',
  'Passive',
  'Force',
  'Force_Outright',
  'Close',
  'No_Open',
  'Roll_Adjusted',
] as const;

export type RollState = (typeof ROLL_STATES)[number];

export function isRollState(s: unknown): s is RollState {
  return typeof s === 'string' && (ROLL_STATES as readonly string[]).includes(s);
}

/** What each state means (the roll report and `systack roll` show it). */
export const ROLL_STATE_MEANING: Readonly<Record<RollState, string>> = {
  No_Roll: 'trade the priced contract only',
  Passive: 'close in the priced contract, open in the forward',
  Force: 'roll now with a calendar spread; strategy orders only reduce',
  Force_Outright: 'roll now with two outright legs; strategy orders only reduce',
  Close: 'close the priced-contract position; no strategy orders',
  No_Open: 'near the roll with an illiquid forward: only reduce',
  Roll_Adjusted: 'roll the multiple and adjusted price series',
};

/** Force and Force_Outright: the roll trades both contracts at once. */
export const isDoubleSided = (s: RollState): boolean => s === 'Force' || s === 'Force_Outright';
/** Force, Force_Outright and Close: the stack generates roll orders. */
export const requiresOrderGeneration = (s: RollState): boolean => isDoubleSided(s) || s === 'Close';
/** The three order-generating states and Roll_Adjusted. */
export const isActiveRolling = (s: RollState): boolean => requiresOrderGeneration(s) || s === 'Roll_Adjusted';

/** Allowed manual transitions (digest §3.2): [flat in the priced contract, some position]. */
const ALLOWED: Readonly<Record<RollState, readonly [readonly RollState[], readonly RollState[]]>> = {
  No_Roll: [
    ['Roll_Adjusted', 'Passive', 'No_Roll', 'No_Open'],
    ['Passive', 'Force', 'Force_Outright', 'No_Roll', 'Close', 'No_Open'],
  ],
  Passive: [
    ['Roll_Adjusted', 'Passive', 'No_Roll', 'No_Open'],
    ['Force', 'Force_Outright', 'Passive', 'No_Roll', 'Close', 'No_Open'],
  ],
  Force: [
    ['Roll_Adjusted', 'Passive'],
    ['Force', 'Force_Outright', 'Passive', 'No_Roll', 'Close', 'No_Open'],
  ],
  Force_Outright: [
    ['Roll_Adjusted', 'Passive'],
    ['Force', 'Force_Outright', 'Passive', 'No_Roll', 'Close', 'No_Open'],
  ],
  Close: [
    ['Roll_Adjusted', 'Passive'],
    ['Close', 'Force', 'Force_Outright', 'Passive', 'No_Roll', 'No_Open'],
  ],
  Roll_Adjusted: [['No_Roll'], ['Roll_Adjusted']],
  No_Open: [
    ['Roll_Adjusted', 'Passive', 'No_Open'],
    ['Close', 'Force', 'Force_Outright', 'Passive', 'No_Roll'],
  ],
};

/** The states an instrument may be moved to by hand from `from`, given its priced-contract position. */
export function allowedRollStates(from: RollState, pricedPosition: number): readonly RollState[] {
  return ALLOWED[from][pricedPosition === 0 ? 0 : 1];
}

/** Why a manual change is refused, or undefined when it is allowed. */
export function whyRollChangeRefused(
  from: RollState,
  to: RollState,
  pricedPosition: number,
): string | undefined {
  if (!Number.isSafeInteger(pricedPosition))
    return `the priced-contract position ${pricedPosition} is not known`;
  const allowed = allowedRollStates(from, pricedPosition);
  if (allowed.includes(to)) return undefined;
  const pos =
    pricedPosition === 0 ? 'flat in the priced contract' : `holding ${pricedPosition} in the priced contract`;
  if (to === 'Roll_Adjusted') {
    return `Roll_Adjusted needs a zero position in the priced contract (now ${pricedPosition}): roll or close it first`;
  }
  return `${from} → ${to} is not allowed when ${pos}; allowed: ${allowed.join(', ')}`;
}

/** Auto-downgrade (digest §3.1, C2): an order-generating state with nothing left in the priced contract is Passive. */
export function downgradedRollState(state: RollState, pricedPosition: number): RollState {
  return requiresOrderGeneration(state) && pricedPosition === 0 ? 'Passive' : state;
}

/** The interactive tool's `roll_status_auto_update` config (digest §3.4), with the reference's defaults. */
export interface RollAutoUpdateConfig {
  auto_roll_if_relative_volume_higher_than: number;
  min_relative_volume: number;
  min_absolute_volume: number;
  near_expiry_days: number;
  /** `Ask` means: no decision, ask the person. */
  default_roll_state_if_undecided: RollState | 'Ask';
  auto_roll_expired: boolean;
}

export const DEFAULT_ROLL_AUTO_UPDATE: RollAutoUpdateConfig = {
  auto_roll_if_relative_volume_higher_than: 1.0,
  min_relative_volume: 0.01,
  min_absolute_volume: 100,
  near_expiry_days: 10,
  default_roll_state_if_undecided: 'Ask',
  auto_roll_expired: true,
};

export interface RollSuggestionInput {
  pricedPosition: number;
  /** Days until the roll date of the roll parameters (may be negative). */
  daysUntilRoll: number;
  daysUntilPriceExpiry: number;
  /** Smoothed forward volume / smoothed priced volume; NaN when either is unknown. */
  relativeVolume: number;
  /** Smoothed forward-contract volume. */
  forwardVolume: number;
}

/** The auto-suggest rule (digest §3.4); `Ask` when the rule leaves it to the person. */
export function suggestRollState(
  i: RollSuggestionInput,
  cfg: RollAutoUpdateConfig = DEFAULT_ROLL_AUTO_UPDATE,
): RollState | 'Ask' {
  if (cfg.auto_roll_expired && i.daysUntilPriceExpiry <= 0 && i.pricedPosition === 0) return 'Roll_Adjusted';
  const forwardLiquid =
    i.relativeVolume > cfg.auto_roll_if_relative_volume_higher_than ||
    (i.relativeVolume > cfg.min_relative_volume && i.forwardVolume > cfg.min_absolute_volume);
  const closeToRoll = i.daysUntilRoll < cfg.near_expiry_days;
  if (forwardLiquid) {
    if (i.pricedPosition === 0) return 'Roll_Adjusted';
    return closeToRoll ? cfg.default_roll_state_if_undecided : 'Passive';
  }
  return closeToRoll ? 'No_Open' : 'No_Roll';
}
