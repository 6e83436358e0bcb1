/**
 * Autopopulate trade limits (interactive_controls "Trade limits > Autopopulate limits";
 * pysystemtrade `interactive_controls.calc_trade_limit_for_instrument`): an instrument trade limit
 * over `periodDays` from the same standard position as the autopopulated position limits
 * (`auto-position-limits.ts`):
 *
 *   standard position     = total capital × risk target × IDM × weight / annual risk per contract
 *   adj trade multiplier  = sqrt(period days) × trade multiplier
 *   limit                 = max(4, ceil(|standard position × adj trade multiplier|))
 *
 * The trade multiplier is the "highest proportion of standard position expected to trade daily"
 * (default 0.33). An instrument whose risk is unknown gets no limit (the reference prints "Can't
 * calculate trade limit for X, not setting").
 */
import {
  AutoLimitInputError,
  checkAutoLimitParams,
  type RiskMultiplierParams,
  standardPosition,
} from './auto-position-limits.ts';

export interface AutoTradeLimitParams extends RiskMultiplierParams {
  /** Highest proportion of the standard position expected to trade daily. */
  tradeMultiplier: number;
  /** The period the limit applies over, whole days (1 to 3650, as `trade-limits set`). */
  periodDays: number;
}

/** The reference's defaults for the two questions it adds. */
export const AUTO_TRADE_LIMIT_DEFAULTS = { tradeMultiplier: 0.33, periodDays: 1 } as const;

/** The smallest limit set (the reference's floor). */
export const MIN_AUTO_TRADE_LIMIT = 4;

/** Every figure a positive finite number, the period a whole number of days up to 3650. */
export function checkAutoTradeLimitParams(p: AutoTradeLimitParams): void {
  checkAutoLimitParams(p);
  if (!Number.isInteger(p.periodDays) || p.periodDays > 3650)
    throw new AutoLimitInputError(
      `periodDays must be a whole number of days from 1 to 3650, got ${p.periodDays}`,
    );
}

export const adjustedTradeMultiplier = (p: AutoTradeLimitParams): number =>
  Math.sqrt(p.periodDays) * p.tradeMultiplier;

/** The trade limit to set (whole contracts, at least 4); undefined when the risk is not known. */
export function autoTradeLimit(
  capital: number,
  annualRiskPerContract: number | undefined,
  p: AutoTradeLimitParams,
): number | undefined {
  const standard = standardPosition(capital, annualRiskPerContract, p);
  if (standard === undefined) return undefined;
  return Math.max(MIN_AUTO_TRADE_LIMIT, Math.ceil(Math.abs(standard * adjustedTradeMultiplier(p))));
}
