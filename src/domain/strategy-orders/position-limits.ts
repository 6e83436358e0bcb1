/**
 * Position limits (digest §2 B4; `sysobjects/production/position_limits.py`,
 * `sysproduction/data/controls.py` apply_position_limit_to_order).
 *
 * Applied after overrides, twice: the instrument limit against the position summed across
 * strategies, and the strategy/instrument limit against the strategy's position. A limit can
 * force a reducing trade when the position is already beyond it, even for a zero trade.
 */
import { sign } from './rounding.ts';

/** `apply_position_limit_to_single_leg_trade`, branch for branch. */
export function applyPositionLimitToSingleLegTrade(
  position: number,
  positionLimit: number,
  trade: number,
): number {
  const newPosition = position + trade;
  const limit = Math.abs(positionLimit);
  const signedLimit = limit * sign(newPosition);
  const toLimit = sign(position) * (limit - Math.abs(position));
  if (Math.abs(newPosition) <= limit) return trade;
  if (position >= 0 && Math.abs(position) <= limit) return signedLimit - position;
  if (position >= 0) {
    if (trade >= 0) return toLimit;
    if (newPosition > 0) return toLimit;
    return signedLimit - position;
  }
  if (Math.abs(position) <= limit) return signedLimit - position;
  if (trade < 0) return toLimit;
  if (newPosition < 0) return toLimit;
  return signedLimit - position;
}

export interface LimitInputs {
  trade: number;
  strategy_position: number;
  /** Position summed across strategies. */
  instrument_position: number;
  instrument_limit?: number;
  strategy_instrument_limit?: number;
}

/**
 * Both limits. The single-leg rule is exactly "clip the new position into [−L, L]", so both
 * limits together clip the trade into the intersection of the two allowed ranges; if they do
 * not meet (other strategies hold too much), the strategy limit is kept and the instrument
 * limit is approached as far as it allows. The digest's combination (position ≥ 0 → min of the
 * two trades, else max) breaks the instrument limit for a flat position: p = 0, t = −1,
 * L_instrument = 0, L_strategy = 1 gives −1. With one limit this equals the reference.
 */
export function applyPositionLimits(x: LimitInputs): number {
  let t = x.trade;
  if (x.instrument_limit !== undefined) {
    const l = Math.abs(x.instrument_limit);
    t = Math.min(Math.max(t, -l - x.instrument_position), l - x.instrument_position);
  }
  if (x.strategy_instrument_limit !== undefined) {
    const l = Math.abs(x.strategy_instrument_limit);
    t = Math.min(Math.max(t, -l - x.strategy_position), l - x.strategy_position);
  }
  return t + 0;
}
