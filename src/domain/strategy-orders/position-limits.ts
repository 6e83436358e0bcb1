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
 * Both limits, as the reference combines them (digest §2 B4; `dataPositionLimits
 * .apply_position_limit_to_order`; `sysexecution/trade_qty.py`
 * `calculate_most_conservative_qty_from_list_of_qty_with_limits_applied`):
 * the single-leg rule against each limit gives one trade per limit (no limit set leaves the
 * trade as it is), and the most conservative wins — the smaller trade when the position summed
 * across strategies is ≥ 0, the larger when it is short.
 *
 * This is the reference's rule and it can break a limit: with p = 0, t = −5, an instrument
 * limit of 1 and a strategy limit of 3, the trades are −1 and −3 and min gives −3, beyond the
 * instrument limit. It is kept because production must trade what pysystemtrade trades.
 */
export function applyPositionLimits(x: LimitInputs): number {
  const trades = [x.trade, x.trade];
  if (x.instrument_limit !== undefined)
    trades[0] = applyPositionLimitToSingleLegTrade(x.instrument_position, x.instrument_limit, x.trade);
  if (x.strategy_instrument_limit !== undefined)
    trades[1] = applyPositionLimitToSingleLegTrade(x.strategy_position, x.strategy_instrument_limit, x.trade);
  const t = x.instrument_position >= 0 ? Math.min(...trades) : Math.max(...trades);
  return t + 0;
}
