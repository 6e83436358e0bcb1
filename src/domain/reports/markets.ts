/**
 * Which markets to trade: the remove markets and duplicate markets reports (digest §8 "Others";
 * the reference's `reporting/data/duplicate_remove_markets.py` and `reporting/data/constants.py`).
 *
 * A market is bad when any of:
 *   SR cost per trade > MAX_SR_COST (0.01)                       "too expensive"
 *   mean daily volume, $m of annual risk < 1.5                   "not enough risk volume"
 *   mean daily volume, contracts < 100                           "not enough contract volume"
 *   annual % stdev < 100 × max_vs_average_forecast (2) × IDM (2.5) × instrument weight (0.04)
 *                    × risk target (0.25) / raw max leverage (1) = 5%   "too safe"
 * With a threshold factor f (BAD_THRESHOLD 0.3): the cost limit is divided by f and the other
 * minimums multiplied by it. An existing market is only removed when bad at f = 0.7 (well below
 * the line), and a removed market only comes back when good at f = 1.3 (well above it), so a
 * market near a line does not flip each day. A figure that is not stored (no volumes, no prices)
 * judges nothing: the market is listed as "no data" for that test, never as passing or failing,
 * and a removed market with a missing figure stays removed (it cannot be shown to be good).
 *
 * The duplicate markets report (duplicate-markets.ts) uses the same figures and thresholds.
 */
import { type Report, reportText, section, table } from './format.ts';
import { type MarketsLeftOut, STALE_PRICE_DAYS } from './market-exclusions.ts';

export const MAX_SR_COST = 0.01;
export const MIN_VOLUME_CONTRACTS_DAILY = 100;
export const MIN_VOLUME_RISK_DAILY = 1.5;
export const BAD_THRESHOLD = 0.3;
export const CHANGE_FLAG = '** CHANGE **';

/** Reporting-only assumptions of the reference (not the backtest's). */
export const AUTO_PARAMETERS = {
  maxVsAverageForecast: 2,
  approxIdm: 2.5,
  notionalInstrumentWeight: 0.04,
  notionalRiskTarget: 0.25,
  rawMaxLeverage: 1,
};

export const MIN_ANNUAL_PERC_STDEV =
  (100 *
    AUTO_PARAMETERS.maxVsAverageForecast *
    AUTO_PARAMETERS.approxIdm *
    AUTO_PARAMETERS.notionalInstrumentWeight *
    AUTO_PARAMETERS.notionalRiskTarget) /
  AUTO_PARAMETERS.rawMaxLeverage;

/** What the reports know of one market (undefined: not stored). */
export interface MarketFigures {
  instrumentCode: string;
  srCost?: number;
  volumeContracts?: number;
  /** Mean daily volume in annual risk, millions of base currency. */
  volumeRisk?: number;
  annualPercStdev?: number;
  annualRiskPerContract?: number;
}

type Test = 'expensive' | 'volumeRisk' | 'volumeContracts' | 'tooSafe';

const TESTS: Record<
  Test,
  { value: (m: MarketFigures) => number | undefined; bad: (v: number, f: number) => boolean }
> = {
  expensive: { value: (m) => m.srCost, bad: (v, f) => v > MAX_SR_COST / f },
  volumeRisk: { value: (m) => m.volumeRisk, bad: (v, f) => v < MIN_VOLUME_RISK_DAILY * f },
  volumeContracts: { value: (m) => m.volumeContracts, bad: (v, f) => v < MIN_VOLUME_CONTRACTS_DAILY * f },
  tooSafe: { value: (m) => m.annualPercStdev, bad: (v, f) => v < MIN_ANNUAL_PERC_STDEV * f },
};

export const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

function failing(markets: MarketFigures[], test: Test, factor = 1): string[] {
  const t = TESTS[test];
  return sorted(
    markets
      .filter((m) => {
        const v = t.value(m);
        return v !== undefined && t.bad(v, factor);
      })
      .map((m) => m.instrumentCode),
  );
}

const unknown = (markets: MarketFigures[], test: Test) =>
  sorted(markets.filter((m) => TESTS[test].value(m) === undefined).map((m) => m.instrumentCode));

export function badMarkets(markets: MarketFigures[], factor = 1): string[] {
  return sorted((Object.keys(TESTS) as Test[]).flatMap((t) => failing(markets, t, factor)));
}

export interface RemoveMarketsData {
  existingBadMarkets: string[];
  /** Bad at the lower threshold and not yet in bad_markets. */
  toRemove: string[];
  /** In bad_markets, every figure known and good at the higher threshold. */
  toAddBack: string[];
  /** In bad_markets with a figure missing: cannot be shown good, stays removed. */
  notJudged: string[];
  /** bad_markets minus the ones to add back, plus the new ones. */
  recommended: string[];
  /** Bad at the plain thresholds, ignoring the existing list. */
  cleanSlate: string[];
  expensive: string[];
  notEnoughVolumeRisk: string[];
  notEnoughVolumeContracts: string[];
  tooSafe: string[];
  noData: Record<Test, string[]>;
  minAnnualPercStdev: number;
  markets: MarketFigures[];
  /** Left out of the judgement: ignored and stale instruments (market-exclusions.ts). */
  leftOut: MarketsLeftOut;
}

export function removeMarkets(
  allMarkets: MarketFigures[],
  existingBadMarkets: string[],
  leftOut: MarketsLeftOut = { ignored: [], stale: [] },
): RemoveMarketsData {
  const out = new Set([...leftOut.ignored, ...leftOut.stale]);
  const markets = allMarkets.filter((m) => !out.has(m.instrumentCode));
  const existing = sorted(existingBadMarkets);
  const toRemove = badMarkets(markets, 1 - BAD_THRESHOLD).filter((c) => !existing.includes(c));
  const stillBad = new Set(badMarkets(markets, 1 + BAD_THRESHOLD));
  // A removed market comes back only when every figure is known and good: a missing figure
  // cannot show it is good, so it stays removed (listed as not judged).
  const complete = new Set(
    markets
      .filter((m) => (Object.keys(TESTS) as Test[]).every((t) => TESTS[t].value(m) !== undefined))
      .map((m) => m.instrumentCode),
  );
  const toAddBack = existing.filter((c) => complete.has(c) && !stillBad.has(c));
  const notJudged = existing.filter((c) => !complete.has(c));
  return {
    existingBadMarkets: existing,
    toRemove,
    toAddBack,
    notJudged,
    recommended: sorted([...existing.filter((c) => !toAddBack.includes(c)), ...toRemove]),
    cleanSlate: badMarkets(markets),
    expensive: failing(markets, 'expensive'),
    notEnoughVolumeRisk: failing(markets, 'volumeRisk'),
    notEnoughVolumeContracts: failing(markets, 'volumeContracts'),
    tooSafe: failing(markets, 'tooSafe'),
    noData: {
      expensive: unknown(markets, 'expensive'),
      volumeRisk: unknown(markets, 'volumeRisk'),
      volumeContracts: unknown(markets, 'volumeContracts'),
      tooSafe: unknown(markets, 'tooSafe'),
    },
    minAnnualPercStdev: MIN_ANNUAL_PERC_STDEV,
    markets,
    leftOut,
  };
}

export const list = (xs: string[]): string => (xs.length === 0 ? '(none)' : xs.join(', '));
const yamlList = (xs: string[]) =>
  ['exclude_instrument_lists:', '  bad_markets:', ...xs.map((x) => `    - ${x}`)].join('\n');

export function removeMarketsReport(
  markets: MarketFigures[],
  existingBadMarkets: string[],
  now: number,
  leftOut?: MarketsLeftOut,
): Report<RemoveMarketsData> {
  const d = removeMarkets(markets, existingBadMarkets, leftOut);
  const nd = (t: Test) => (d.noData[t].length > 0 ? `\nNo data to judge: ${list(d.noData[t])}` : '');
  const a = AUTO_PARAMETERS;
  const text = reportText('Remove markets report', now, [
    'Markets which should be marked as untradeable due to risk, liquidity or cost issues\n',
    section(
      `Left out (ignore_instruments; stale: stale_instruments or no adjusted price in ${STALE_PRICE_DAYS} days)`,
      `Ignored: ${list(d.leftOut.ignored)}\nStale: ${list(d.leftOut.stale)}`,
    ),
    section(
      `Should be removed from trading (add to bad_markets; bad at ${1 - BAD_THRESHOLD} × the thresholds)`,
      list(d.toRemove),
    ),
    section(
      `Should be allowed to trade (delete from bad_markets; good at ${1 + BAD_THRESHOLD} × the thresholds)`,
      list(d.toAddBack) +
        (d.notJudged.length > 0 ? `\nStay removed, a figure is missing: ${list(d.notJudged)}` : ''),
    ),
    section(
      `Markets too expensive (SR cost per trade > ${MAX_SR_COST.toFixed(3)})`,
      list(d.expensive) + nd('expensive'),
    ),
    section(
      `Markets not enough risk volume (volume in $m ann. risk per day < ${MIN_VOLUME_RISK_DAILY.toFixed(2)})`,
      list(d.notEnoughVolumeRisk) + nd('volumeRisk'),
    ),
    section(
      `Markets not enough contract volume (volume in contracts per day < ${MIN_VOLUME_CONTRACTS_DAILY})`,
      list(d.notEnoughVolumeContracts) + nd('volumeContracts'),
    ),
    section(
      `Markets too safe (annual % std. dev < ${d.minAnnualPercStdev.toFixed(1)})`,
      list(d.tooSafe) + nd('tooSafe'),
    ),
    section(
      'Minimum standard deviation',
      `${d.minAnnualPercStdev.toFixed(3)} = max_vs_average_forecast × approx_IDM × notional_instrument_weight × notional_risk_target / raw_max_leverage × 100\n` +
        `= ${a.maxVsAverageForecast} × ${a.approxIdm} × ${a.notionalInstrumentWeight} × ${a.notionalRiskTarget} / ${a.rawMaxLeverage} × 100`,
    ),
    section('To minimise turnover of markets, put in the config', yamlList(d.recommended)),
    section('For a clean slate, ignoring the markets removed now', yamlList(d.cleanSlate)),
    section(
      'Figures per market',
      table(
        [
          'instrument',
          'SR_cost',
          'volume_contracts',
          'volume_risk_m',
          'annual_perc_stdev',
          'annual_risk_per_contract',
        ],
        d.markets.map((m) => [
          m.instrumentCode,
          m.srCost === undefined ? undefined : m.srCost.toFixed(5),
          m.volumeContracts,
          m.volumeRisk,
          m.annualPercStdev,
          m.annualRiskPerContract,
        ]),
      ),
    ),
  ]);
  return { name: 'remove_markets_report', generatedAt: now, text, data: d };
}
