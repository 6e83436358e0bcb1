/**
 * Strategy order generation for the classic buffered strategy (digest §2 B1–B6):
 * required orders (B2) → overrides (B3) → position limits (B4) → roll status → lock check (B6)
 * → netting against the strategy's unfilled orders on the stack (B5).
 *
 * Roll status (digest §3.1, C3): Close and Roll_Adjusted take no strategy orders; Force and
 * Force_Outright only reducing ones (a non-reducing order would sit unspawned, #1569);
 * No_Open adds a reduce-only override.
 */
import { bufferedTrade } from './buffered.ts';
import { applyOverride, cumulativeOverride, type Override, overrideLabel } from './overrides.ts';
import { applyPositionLimits } from './position-limits.ts';
import { sign } from './rounding.ts';

import type { RollState } from '../rolls/roll-state.ts';

export type { RollState };

export interface BufferedOptimalPosition {
  instrument_code: string;
  lower_position: number;
  upper_position: number;
  reference_price?: number;
  reference_contract?: string;
  /** ISO timestamp of the optimal position. */
  reference_datetime?: string;
}

export interface OpenInstrumentOrder {
  strategy_name: string;
  instrument_code: string;
  trade: number;
  fill: number;
}

export interface OverrideTable {
  strategy?: Record<string, Override>;
  instrument?: Record<string, Override>;
  /** Keyed `strategy/instrument`. */
  strategy_instrument?: Record<string, Override>;
}

export interface PositionLimitTable {
  instrument?: Record<string, number>;
  /** Keyed `strategy/instrument`. */
  strategy_instrument?: Record<string, number>;
}

export interface StrategyOrderInput {
  strategy_name: string;
  optimal_positions: BufferedOptimalPosition[];
  /** This strategy's current positions. */
  strategy_positions: Record<string, number>;
  /** Positions summed across strategies (for instrument limits). */
  instrument_positions: Record<string, number>;
  overrides?: OverrideTable;
  /** From config (bad markets, ignored, duplicates, trading restrictions). */
  config_overrides?: Record<string, Override>;
  position_limits?: PositionLimitTable;
  roll_states?: Record<string, RollState>;
  locked_instruments?: string[];
  open_orders?: OpenInstrumentOrder[];
  /**
   * Net against unfilled orders of the same strategy and instrument here (B5). Default true.
   * False when the stack nets on insert: then the desired trade is sent un-netted, so netting
   * happens exactly once whichever side does it.
   */
  net_against_stack?: boolean;
}

export interface StrategyOrder {
  strategy_name: string;
  instrument_code: string;
  trade: number;
  reference_price?: number;
  reference_contract?: string;
  reference_datetime?: string;
}

export interface OrderDecision {
  instrument_code: string;
  current_position: number;
  lower_position: number;
  upper_position: number;
  required_trade: number;
  override: string;
  after_override: number;
  after_limits: number;
  unfilled_on_stack: number;
  final_trade: number;
  /** Why nothing goes on the stack, when nothing does. */
  skipped?: string;
}

export interface StrategyOrderResult {
  orders: StrategyOrder[];
  decisions: OrderDecision[];
}

export const strategyInstrumentKey = (strategy: string, instrument: string) => `${strategy}/${instrument}`;

/** C3: a trade reduces when it goes against a non-zero position (even if it overshoots). */
const reduces = (position: number, trade: number) =>
  position !== 0 && trade !== 0 && sign(trade) !== sign(position);

export function generateStrategyOrders(input: StrategyOrderInput): StrategyOrderResult {
  const s = input.strategy_name;
  const orders: StrategyOrder[] = [];
  const decisions: OrderDecision[] = [];
  const locked = new Set(input.locked_instruments ?? []);
  for (const op of input.optimal_positions) {
    const i = op.instrument_code;
    const key = strategyInstrumentKey(s, i);
    const position = input.strategy_positions[i] ?? 0;
    const required = bufferedTrade(position, op.lower_position, op.upper_position);
    const roll = input.roll_states?.[i] ?? 'No_Roll';
    const override = cumulativeOverride([
      input.overrides?.strategy?.[s],
      input.overrides?.instrument?.[i],
      input.overrides?.strategy_instrument?.[key],
      input.config_overrides?.[i],
      roll === 'No_Open' ? { type: 'reduce_only' } : undefined,
    ]);
    const afterOverride = applyOverride(override, position, required);
    const afterLimits = applyPositionLimits({
      trade: afterOverride,
      strategy_position: position,
      instrument_position: input.instrument_positions[i] ?? position,
      instrument_limit: input.position_limits?.instrument?.[i],
      strategy_instrument_limit: input.position_limits?.strategy_instrument?.[key],
    });
    const unfilled = (input.open_orders ?? [])
      .filter((o) => o.strategy_name === s && o.instrument_code === i)
      .reduce((sum, o) => sum + (o.trade - o.fill), 0);
    const net = input.net_against_stack ?? true;
    const finalTrade = net ? afterLimits - unfilled : afterLimits;
    const decision: OrderDecision = {
      instrument_code: i,
      current_position: position,
      lower_position: op.lower_position,
      upper_position: op.upper_position,
      required_trade: required,
      override: overrideLabel(override),
      after_override: afterOverride,
      after_limits: afterLimits,
      unfilled_on_stack: unfilled,
      final_trade: finalTrade,
    };
    if (roll === 'Close' || roll === 'Roll_Adjusted')
      decision.skipped = `roll state ${roll} takes no strategy orders`;
    else if ((roll === 'Force' || roll === 'Force_Outright') && !reduces(position, afterLimits))
      decision.skipped = `roll state ${roll} takes only reducing orders`;
    else if (locked.has(i)) decision.skipped = 'instrument locked';
    // B1/B5: a zero order goes to a stack that nets on insert only when it has something to
    // cancel out (an unfilled order); when netting here, a zero residual is "either zero size or
    // it replicates an existing order" and is dropped.
    else if (finalTrade === 0 && (net || unfilled === 0))
      decision.skipped = unfilled !== 0 ? 'replicates an order already on the stack' : 'zero trade';
    decisions.push(decision);
    if (decision.skipped) continue;
    const order: StrategyOrder = { strategy_name: s, instrument_code: i, trade: finalTrade };
    if (op.reference_price !== undefined) order.reference_price = op.reference_price;
    if (op.reference_contract !== undefined) order.reference_contract = op.reference_contract;
    if (op.reference_datetime !== undefined) order.reference_datetime = op.reference_datetime;
    orders.push(order);
  }
  return { orders, decisions };
}
