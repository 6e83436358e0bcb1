/**
 * Autopopulate position limits (interactive_controls "Position limits > Autopopulate limits"):
 * propose a global limit per instrument from the total capital and each instrument's current
 * annual risk per contract (src/domain/strategy-orders/auto-position-limits.ts), then, once the
 * user has confirmed, write them to the controls store `systack control limits` reads and
 * writes. Reads the stores directly, as the rest of the controls CLI does.
 */
import {
  type AutoLimitParams,
  AutoLimitInputError,
  autoPositionLimit,
  checkAutoLimitParams,
  riskMultiplier,
} from '../src/domain/strategy-orders/auto-position-limits.ts';
import { riskFigures } from '../src/domain/reports/market.ts';
import { openCapitalStore } from '../src/store/backend.ts';
import { latestTotal } from '../src/store/capital-store.ts';
import type { ControlsStore } from '../src/store/controls-store.ts';
import { instrumentMarkets } from './reports/market-sources.ts';
import type { ReportSources } from './reports/sources.ts';

export interface AutoLimitRow {
  instrument_code: string;
  annual_risk_per_contract: number | null;
  current_limit: number | null;
  proposed_limit: number | null;
  /** Why no limit is proposed (empty when one is). */
  note: string;
}

export interface AutoLimitProposal {
  total_capital: number;
  risk_multiplier: number;
  rows: AutoLimitRow[];
}

/** An instrument with prices and its annual risk per contract (undefined when not known). */
export interface InstrumentRisk {
  instrument_code: string;
  annualRiskPerContract: number | undefined;
}

/**
 * The latest total capital and the annual risk per contract of every instrument with prices (or
 * only `instruments`, each of which must be known). Fails on an unknown instrument or no total
 * capital. Shared by the position- and trade-limit autopopulate.
 */
export async function capitalAndRisks(
  s: ReportSources,
  instruments: string[] = [],
): Promise<{ totalCapital: number; risks: InstrumentRisk[] }> {
  const total = await latestTotal(await openCapitalStore(s.nc, s.prefix));
  if (!total || !(total.total_capital > 0))
    throw new AutoLimitInputError("no total capital stored: run 'systack capital initialise' first");
  const markets = await instrumentMarkets(s);
  const known = markets.map((m) => m.instrumentCode);
  const unknown = instruments.filter((i) => !known.includes(i));
  if (unknown.length > 0)
    throw new AutoLimitInputError(
      `unknown instrument ${unknown.join(', ')} (instruments with prices: ${known.join(', ') || 'none'})`,
    );
  return {
    totalCapital: total.total_capital,
    risks: markets
      .filter((m) => instruments.length === 0 || instruments.includes(m.instrumentCode))
      .map((m) => ({
        instrument_code: m.instrumentCode,
        annualRiskPerContract: riskFigures(m).annualRiskPerContract,
      })),
  };
}

/** Rounded to cents for display (null when not known). */
export const shownRisk = (risk: number | undefined): number | null =>
  risk === undefined ? null : Math.round(risk * 100) / 100;

/**
 * The limits the figures give for every instrument with prices (or only `instruments`, each of
 * which must be known). Fails, changing nothing, on bad figures, an unknown instrument or no
 * total capital.
 */
export async function proposeAutoPositionLimits(
  s: ReportSources,
  controls: ControlsStore,
  params: AutoLimitParams,
  instruments: string[] = [],
): Promise<AutoLimitProposal> {
  checkAutoLimitParams(params);
  const { totalCapital, risks } = await capitalAndRisks(s, instruments);
  const current = (await controls.positionLimits()).instrument ?? {};
  const rows = risks.map(({ instrument_code, annualRiskPerContract: risk }): AutoLimitRow => {
    const limit = autoPositionLimit(totalCapital, risk, params);
    return {
      instrument_code,
      annual_risk_per_contract: shownRisk(risk),
      current_limit: current[instrument_code] ?? null,
      proposed_limit: limit ?? null,
      note: limit === undefined ? "can't get position limit (no risk figure), not setting" : '',
    };
  });
  return {
    total_capital: totalCapital,
    risk_multiplier: riskMultiplier(params),
    rows,
  };
}

/** Write the proposed instrument limits; returns how many were written. */
export async function writeAutoPositionLimits(
  controls: ControlsStore,
  rows: AutoLimitRow[],
): Promise<number> {
  let n = 0;
  for (const r of rows) {
    if (r.proposed_limit === null) continue;
    await controls.setPositionLimit('instrument', { instrument_code: r.instrument_code }, r.proposed_limit);
    n++;
  }
  return n;
}
