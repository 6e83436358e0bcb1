/**
 * Duplicate markets report (digest §8 "Others"; the reference's
 * `reporting/data/duplicate_remove_markets.py`): of each `duplicate_instruments` group's markets,
 * the ones with all four figures, SR cost ≤ 0.01, volume > 100 contracts and > 1.5m risk; the
 * best is the one with the smallest annual risk per contract (the finest position sizing). A
 * change is suggested when the best is not the one included.
 */
import { type Report, reportText, section, table } from './format.ts';
import {
  CHANGE_FLAG,
  list,
  type MarketFigures,
  MAX_SR_COST,
  MIN_VOLUME_CONTRACTS_DAILY,
  MIN_VOLUME_RISK_DAILY,
  sorted,
} from './markets.ts';

/** One group of duplicate markets: the config's include and exclude lists for one key. */
export interface DuplicateGroup {
  name: string;
  included: string[];
  excluded: string[];
}

export interface DuplicateGroupResult extends DuplicateGroup {
  best?: string;
  change: string;
  heading: string;
  markets: MarketFigures[];
}

const asList = (x: string | string[] | undefined): string[] =>
  x === undefined ? [] : Array.isArray(x) ? x : [x];

/** The groups of `duplicate_instruments` (a key in either list makes a group). */
export function duplicateGroups(config: {
  include: Record<string, string | string[]>;
  exclude: Record<string, string | string[]>;
}): DuplicateGroup[] {
  return sorted([...Object.keys(config.include), ...Object.keys(config.exclude)]).map((name) => ({
    name,
    included: asList(config.include[name]),
    excluded: asList(config.exclude[name]),
  }));
}

export function bestMarket(markets: MarketFigures[]): string | undefined {
  const valid = markets.filter(
    (m) =>
      m.srCost !== undefined &&
      m.volumeContracts !== undefined &&
      m.volumeRisk !== undefined &&
      m.annualRiskPerContract !== undefined &&
      m.srCost <= MAX_SR_COST &&
      m.volumeContracts > MIN_VOLUME_CONTRACTS_DAILY &&
      m.volumeRisk > MIN_VOLUME_RISK_DAILY,
  );
  valid.sort(
    (a, b) =>
      a.annualRiskPerContract! - b.annualRiskPerContract! || a.instrumentCode.localeCompare(b.instrumentCode),
  );
  return valid[0]?.instrumentCode;
}

export function duplicateGroupResult(
  group: DuplicateGroup,
  figures: Map<string, MarketFigures>,
): DuplicateGroupResult {
  const codes = sorted([...group.included, ...group.excluded]);
  const markets = codes.map((c) => figures.get(c) ?? { instrumentCode: c });
  const best = bestMarket(markets);
  const change =
    best === undefined
      ? 'No change - no good markets'
      : group.included.length > 1
        ? `${CHANGE_FLAG} Replace ${group.included.join(', ')} with ${best}`
        : best !== group.included[0]
          ? `${CHANGE_FLAG} Replace ${group.included[0] ?? '(none)'} with ${best}`
          : 'No change required';
  const heading =
    `${group.name}: ${change}. Included ${list(group.included)}, excluded ${list(group.excluded)}; ` +
    `best market ${best ?? '(none)'}`;
  return { ...group, best, change, heading, markets };
}

export interface DuplicateMarketsData {
  suggestedChanges: string[];
  groups: DuplicateGroupResult[];
}

export function duplicateMarketsReport(
  groups: DuplicateGroup[],
  markets: MarketFigures[],
  now: number,
): Report<DuplicateMarketsData> {
  const figures = new Map(markets.map((m) => [m.instrumentCode, m]));
  const results = groups.map((g) => duplicateGroupResult(g, figures));
  const suggestedChanges = results.filter((r) => r.change.startsWith(CHANGE_FLAG)).map((r) => r.heading);
  const text = reportText('Duplicate markets report', now, [
    'Duplicate markets (mini and micro, or dual listings) and which of each group to trade: the one\n' +
      `with the smallest annual risk per contract among those with SR cost <= ${MAX_SR_COST}, volume > ` +
      `${MIN_VOLUME_CONTRACTS_DAILY} contracts and > ${MIN_VOLUME_RISK_DAILY}m of annual risk a day\n`,
    section(
      'Suggested changes',
      groups.length === 0
        ? 'No duplicate markets configured (duplicate_instruments)'
        : suggestedChanges.length === 0
          ? 'No changes to duplicate markets required'
          : suggestedChanges.join('\n'),
    ),
    ...results.map((r) =>
      section(
        r.heading,
        table(
          ['instrument', 'SR_cost', 'volume_contracts', 'volume_risk', 'contract_size'],
          r.markets.map((m) => [
            m.instrumentCode,
            m.srCost === undefined ? undefined : m.srCost.toFixed(6),
            m.volumeContracts,
            m.volumeRisk,
            m.annualRiskPerContract === undefined ? undefined : Math.round(m.annualRiskPerContract),
          ]),
        ),
      ),
    ),
  ]);
  return {
    name: 'duplicate_markets_report',
    generatedAt: now,
    text,
    data: { suggestedChanges, groups: results },
  };
}
