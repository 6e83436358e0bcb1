/**
 * Autopopulate position limits (production doc "Interactive controls > Position limits";
 * pysystemtrade `interactive_controls.auto_populate_position_limits`): a global limit per
 * instrument from the current level of risk, assuming every strategy has the same risk target
 * and IDM and every instrument the same weight (the user's figures, not the configured ones):
 *
 *   risk multiplier      = risk target × IDM × instrument weight
 *   standard position    = total capital × risk multiplier / annual risk per contract (base ccy)
 *   max position         = standard position × forecast cap / average absolute forecast (20 / 10)
 *   limit                = max(1, ceil(|max position|))
 *
 * The annual risk per contract is the risk report's (daily price stdev × 16 × point size × FX,
 * `src/domain/reports/market.ts`). An instrument whose risk is unknown gets no limit (the
 * reference prints "Can't get position limit for X, not setting").
 */

/** The figures of the risk multiplier (the same questions for position and trade limits). */
export interface RiskMultiplierParams {
  /** Notional risk target, a fraction per year (0.25 = 25%). */
  riskTarget: number;
  /** Approximate instrument diversification multiplier. */
  idm: number;
  /** Notional instrument weight (a fraction; "go large for safety"). */
  instrumentWeight: number;
}

export interface AutoLimitParams extends RiskMultiplierParams {
  /** Forecast cap over the average absolute forecast (the position at the cap; 20 / 10 = 2). */
  maxForecastRatio: number;
}

/** The reference's defaults for the questions it asks. */
export const AUTO_LIMIT_DEFAULTS = { riskTarget: 0.25, idm: 2.5, instrumentWeight: 0.1 } as const;

export class AutoLimitInputError extends Error {
  override readonly name = 'AutoLimitInputError';
}

/** Every figure must be a positive finite number (a bad one is refused, nothing is written). */
export function checkAutoLimitParams(p: object): void {
  for (const [k, v] of Object.entries(p))
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0))
      throw new AutoLimitInputError(`${k} must be a positive number, got ${String(v)}`);
}

export const riskMultiplier = (p: RiskMultiplierParams): number => p.riskTarget * p.idm * p.instrumentWeight;

/** The position at average forecast the figures imply; undefined when the risk is not known. */
export function standardPosition(
  capital: number,
  annualRiskPerContract: number | undefined,
  p: RiskMultiplierParams,
): number | undefined {
  if (annualRiskPerContract === undefined || !(annualRiskPerContract > 0) || !(capital > 0)) return undefined;
  return (capital * riskMultiplier(p)) / annualRiskPerContract;
}

/** The limit to set (a whole number of contracts, at least 1); undefined when the risk is not known. */
export function autoPositionLimit(
  capital: number,
  annualRiskPerContract: number | undefined,
  p: AutoLimitParams,
): number | undefined {
  const standard = standardPosition(capital, annualRiskPerContract, p);
  if (standard === undefined) return undefined;
  return Math.max(1, Math.ceil(Math.abs(standard * p.maxForecastRatio)));
}
