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
 * The position limits set for this order (digest §2 B4; `dataPositionLimits
 * .apply_position_limit_to_order`; `sysexecution/trade_qty.py`
 * `calculate_most_conservative_qty_from_list_of_qty_with_limits_applied`).
 *
 * - One limit set: the single-leg rule against it.
 * - Both set: the single-leg rule against each gives one trade per limit, and the most
 *   conservative wins — the smaller trade when the position summed across strategies is ≥ 0,
 *   the larger when it is short. This is the reference's rule and it can break a limit: with
 *   p = 0, t = −5, an instrument limit of 1 and a strategy limit of 3, the trades are −1 and −3
 *   and min gives −3, beyond the instrument limit.
 *
 * Deliberate difference: the reference also puts an unchanged trade in the min/max for a limit
 * that is not set (`NO_LIMIT` returns the order as it is), so with only an instrument limit of 2,
 * a flat position and a sale of 10 it sells 10. systack applies the one limit that is set (−2).
 */
export function applyPositionLimits(x: LimitInputs): number {
  const trades: number[] = [];
  if (x.instrument_limit !== undefined)
    trades.push(applyPositionLimitToSingleLegTrade(x.instrument_position, x.instrument_limit, x.trade));
  if (x.strategy_instrument_limit !== undefined)
    trades.push(
      applyPositionLimitToSingleLegTrade(x.strategy_position, x.strategy_instrument_limit, x.trade),
    );
  if (trades.length === 0) return x.trade;
  const t = x.instrument_position >= 0 ? Math.min(...trades) : Math.max(...trades);
  return t + 0;
}
