/**
 * Liquidity and minimum capital reports (digest §8 "Others").
 * Liquidity, per instrument: mean daily volume of the priced contract over the last 20 stored
 * days (contracts) and in risk terms (volume × annual risk per contract, base currency,
 * millions), our position and position as % of that volume. Flagged when under 100 contracts or
 * 1.5m of annual risk a day (the reference's thresholds for removing markets).
 * Minimum capital, per instrument: one contract's capital = annual risk per contract / vol
 * target; minimum capital = 4 contracts' worth / (instrument weight × IDM).
 */
import { type Report, reportText, section, table } from './format.ts';
import { type InstrumentMarket, riskFigures } from './market.ts';

export const MIN_VOLUME_CONTRACTS = 100;
export const MIN_VOLUME_RISK_MILLIONS = 1.5;
export const MINIMUM_POSITION_CONTRACTS = 4;

export interface LiquidityRow {
  instrumentCode: string;
  volumeContracts?: number;
  volumeRiskMillions?: number;
  position: number;
  positionPercVolume?: number;
  enough?: boolean;
}

export function liquidityRows(markets: InstrumentMarket[], positions: Map<string, number>): LiquidityRow[] {
  return markets
    .map((m) => {
      const last = m.volumes.slice(-20).filter(([, v]) => Number.isFinite(v));
      const volume = last.length > 0 ? last.reduce((s, [, v]) => s + v, 0) / last.length : undefined;
      const risk = riskFigures(m).annualRiskPerContract;
      const inRisk = volume === undefined || risk === undefined ? undefined : (volume * risk) / 1e6;
      const position = positions.get(m.instrumentCode) ?? 0;
      return {
        instrumentCode: m.instrumentCode,
        volumeContracts: volume,
        volumeRiskMillions: inRisk,
        position,
        positionPercVolume: volume ? (100 * Math.abs(position)) / volume : undefined,
        enough:
          volume === undefined || inRisk === undefined
            ? undefined
            : volume >= MIN_VOLUME_CONTRACTS && inRisk >= MIN_VOLUME_RISK_MILLIONS,
      };
    })
    .sort(
      (a, b) =>
        (a.volumeRiskMillions ?? -1) - (b.volumeRiskMillions ?? -1) ||
        a.instrumentCode.localeCompare(b.instrumentCode),
    );
}

export function liquidityReport(rows: LiquidityRow[], now: number): Report<LiquidityRow[]> {
  const text = reportText('Liquidity report', now, [
    section(
      `Volumes vs positions (mean of the last 20 days; flagged under ${MIN_VOLUME_CONTRACTS} contracts or ${MIN_VOLUME_RISK_MILLIONS}m risk)`,
      table(
        ['instrument', 'volume_contracts', 'volume_risk_m', 'position', 'position_pct_volume', 'liquid'],
        rows.map((r) => [
          r.instrumentCode,
          r.volumeContracts,
          r.volumeRiskMillions,
          r.position,
          r.positionPercVolume,
          r.enough === undefined ? 'n/a' : r.enough ? 'yes' : 'NO',
        ]),
      ),
    ),
  ]);
  return { name: 'liquidity_report', generatedAt: now, text, data: rows };
}

export interface MinimumCapitalRow {
  instrumentCode: string;
  strategyName?: string;
  annualRiskPerContract?: number;
  minimumCapitalOneContract?: number;
  minimumPositionContracts: number;
  instrumentWeight?: number;
  idm?: number;
  minimumCapital?: number;
}

export interface StrategyWeights {
  strategyName: string;
  percentageVolTarget: number;
  idm: number;
  /** instrument → weight; undefined = equal weights over the instruments traded. */
  weights: Record<string, number>;
}

export function minimumCapitalRows(
  markets: InstrumentMarket[],
  strategies: StrategyWeights[],
): MinimumCapitalRow[] {
  const rows: MinimumCapitalRow[] = [];
  for (const m of markets) {
    const risk = riskFigures(m).annualRiskPerContract;
    const users = strategies.filter((s) => s.weights[m.instrumentCode] !== undefined);
    for (const s of users.length > 0 ? users : [undefined]) {
      const target = (s?.percentageVolTarget ?? 20) / 100;
      const one = risk === undefined ? undefined : risk / target;
      const weight = s?.weights[m.instrumentCode];
      rows.push({
        instrumentCode: m.instrumentCode,
        strategyName: s?.strategyName,
        annualRiskPerContract: risk,
        minimumCapitalOneContract: one,
        minimumPositionContracts: MINIMUM_POSITION_CONTRACTS,
        instrumentWeight: weight,
        idm: s?.idm,
        minimumCapital:
          one === undefined
            ? undefined
            : (MINIMUM_POSITION_CONTRACTS * one) / ((weight ?? 1) * (s?.idm ?? 1)),
      });
    }
  }
  return rows.sort((a, b) => (b.minimumCapital ?? -1) - (a.minimumCapital ?? -1));
}

export function minimumCapitalReport(rows: MinimumCapitalRow[], now: number): Report<MinimumCapitalRow[]> {
  const text = reportText('Minimum capital report', now, [
    section(
      `Minimum capital (${MINIMUM_POSITION_CONTRACTS} contracts / (instrument weight × IDM)), largest first`,
      table(
        [
          'instrument',
          'strategy',
          'annual_risk_per_contract',
          'min_capital_one_contract',
          'min_contracts',
          'weight',
          'IDM',
          'minimum_capital',
        ],
        rows.map((r) => [
          r.instrumentCode,
          r.strategyName ?? '(none)',
          r.annualRiskPerContract,
          r.minimumCapitalOneContract,
          r.minimumPositionContracts,
          r.instrumentWeight,
          r.idm,
          r.minimumCapital,
        ]),
      ),
    ),
  ]);
  return { name: 'minimum_capital_report', generatedAt: now, text, data: rows };
}
