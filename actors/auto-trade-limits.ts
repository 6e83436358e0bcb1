/**
 * Autopopulate trade limits (interactive_controls "Trade limits > Autopopulate limits"): propose
 * an instrument trade limit over the period from the total capital and each instrument's annual
 * risk per contract (src/domain/strategy-orders/auto-trade-limits.ts), then, once the user has
 * confirmed, write them through the trade-limit operations `systack control trade-limits set`
 * uses (a new limit starts at zero; a changed one keeps its count).
 */
import {
  type AutoTradeLimitParams,
  adjustedTradeMultiplier,
  autoTradeLimit,
  checkAutoTradeLimitParams,
} from '../src/domain/strategy-orders/auto-trade-limits.ts';
import { riskMultiplier } from '../src/domain/strategy-orders/auto-position-limits.ts';
import type { TradeLimitsStore } from '../src/store/trade-limits-store.ts';
import { capitalAndRisks, shownRisk } from './position-limits-service.ts';
import type { ReportSources } from './reports/sources.ts';
import type { tradeLimitOps } from './trade-limits-service.ts';

export interface AutoTradeLimitRow {
  instrument_code: string;
  annual_risk_per_contract: number | null;
  /** The instrument-only limit over the same period now in place. */
  current_limit: number | null;
  proposed_limit: number | null;
  /** Why no limit is proposed (empty when one is). */
  note: string;
}

export interface AutoTradeLimitProposal {
  total_capital: number;
  risk_multiplier: number;
  /** sqrt(period days) × trade multiplier. */
  adj_trade_multiplier: number;
  period_days: number;
  rows: AutoTradeLimitRow[];
}

/**
 * The trade limits the figures give for every instrument with prices (or only `instruments`, each
 * of which must be known). Fails, changing nothing, on bad figures, an unknown instrument or no
 * total capital.
 */
export async function proposeAutoTradeLimits(
  s: ReportSources,
  store: TradeLimitsStore,
  params: AutoTradeLimitParams,
  instruments: string[] = [],
): Promise<AutoTradeLimitProposal> {
  checkAutoTradeLimitParams(params);
  const { totalCapital, risks } = await capitalAndRisks(s, instruments);
  const current = new Map(
    (await store.list())
      .filter((l) => l.strategyName === '' && l.periodDays === params.periodDays)
      .map((l) => [l.instrumentCode, l.tradeLimit]),
  );
  const rows = risks.map(({ instrument_code, annualRiskPerContract: risk }): AutoTradeLimitRow => {
    const limit = autoTradeLimit(totalCapital, risk, params);
    return {
      instrument_code,
      annual_risk_per_contract: shownRisk(risk),
      current_limit: current.get(instrument_code) ?? null,
      proposed_limit: limit ?? null,
      note: limit === undefined ? "can't calculate trade limit (no risk figure), not setting" : '',
    };
  });
  return {
    total_capital: totalCapital,
    risk_multiplier: riskMultiplier(params),
    adj_trade_multiplier: adjustedTradeMultiplier(params),
    period_days: params.periodDays,
    rows,
  };
}

/** Write the proposed instrument trade limits over the period; returns how many were written. */
export async function writeAutoTradeLimits(
  ops: ReturnType<typeof tradeLimitOps>,
  proposal: AutoTradeLimitProposal,
): Promise<number> {
  let n = 0;
  for (const r of proposal.rows) {
    if (r.proposed_limit === null) continue;
    await ops.set({
      instrument_code: r.instrument_code,
      period_days: proposal.period_days,
      trade_limit: r.proposed_limit,
    });
    n++;
  }
  return n;
}
