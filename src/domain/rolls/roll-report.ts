/**
 * The roll report of the interactive roll tool (production doc "Roll report"; pysystemtrade
 * `sysproduction/reporting/data/rolls.py`), built from the stored roll states: per instrument the
 * roll status, days to the roll date, to the priced contract's expiry and to the carry contract's
 * expiry (the broker's expiry dates where known, else the approximate ones of
 * `src/domain/reports/roll.ts`; the roll date is the priced expiry + RollOffsetDays), the contracts with their p/f/c suffixes and
 * our position in each, and the smoothed volumes of the priced and forward contracts relative to
 * the larger of the two. The auto-suggest rule (`suggestRollState`) takes its inputs from a row.
 */
import { type RollInput, rollRow } from '../reports/roll.ts';
import { type RollAutoUpdateConfig, type RollState, suggestRollState } from './roll-state.ts';

export interface RollStatusInput extends RollInput {
  rollState: RollState;
  /** Daily volumes of the priced and forward contracts, oldest first (empty when none stored). */
  pricedVolumes: number[];
  forwardVolumes: number[];
  /** Expiry dates (YYYYMMDD) from the broker's contract details, by contract, where known. */
  expiries?: Record<string, string>;
}

export interface RollStatusRow {
  instrument_code: string;
  status: RollState;
  /** Days to the roll date (null without roll parameters). */
  roll_expiry: number | null;
  price_expiry: number;
  carry_expiry: number;
  /** e.g. `20261200p 20270200fc` (p priced, f forward, c carry). */
  contracts: string;
  /** Position per contract held, e.g. `20261200p:2 20270200fc:3`; empty when flat. */
  positions: string;
  position_priced: number;
  position_forward: number;
  /** Smoothed volumes relative to the larger of the two; NaN when unknown. */
  relative_volume_priced: number;
  relative_volume_forward: number;
  /** Smoothed forward volume / smoothed priced volume (the rule's rel_vol); NaN when unknown. */
  forward_to_priced_volume: number;
  smoothed_volume_forward: number;
  suggested: RollState | 'Ask';
}

/** Smoothed volume (digest §3.4): the last value of the EWMA (span 3) of the last 14 daily volumes. */
export function smoothedVolume(volumes: readonly number[]): number {
  const last = volumes.filter((v) => Number.isFinite(v)).slice(-14);
  if (last.length === 0) return Number.NaN;
  const alpha = 2 / (3 + 1);
  let ewma = last[0]!;
  for (const v of last.slice(1)) ewma = alpha * v + (1 - alpha) * ewma;
  return ewma;
}

function suffixes(i: RollInput): Map<string, string> {
  const out = new Map<string, string>();
  const add = (c: string, s: string) => {
    if (c) out.set(c, (out.get(c) ?? '') + s);
  };
  add(i.priceContract, 'p');
  add(i.forwardContract, 'f');
  add(i.carryContract, 'c');
  return out;
}

const DAY_MS = 86_400_000;
const dayOf = (yyyymmdd: string) =>
  Date.UTC(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)) - 1, Number(yyyymmdd.slice(6, 8)));

/** Days from `now`'s UTC date to a known expiry; undefined when the broker gave none. */
function brokerDays(i: RollStatusInput, contract: string, now: number): number | undefined {
  const e = i.expiries?.[contract];
  if (!e || !/^\d{8}$/.test(e)) return undefined;
  return Math.round((dayOf(e) - Math.floor(now / DAY_MS) * DAY_MS) / DAY_MS);
}

export function rollStatusRow(i: RollStatusInput, now: number, cfg?: RollAutoUpdateConfig): RollStatusRow {
  const approx = rollRow(i, now);
  // The broker's expiries where the sampled contracts have them (the roll config's otherwise).
  const priceExpiry = brokerDays(i, i.priceContract, now) ?? approx.priceExpiry;
  const base = {
    ...approx,
    priceExpiry,
    carryExpiry: brokerDays(i, i.carryContract, now) ?? approx.carryExpiry,
    rollExpiry: i.roll ? priceExpiry + i.roll.rollOffsetDays : null,
  };
  const tags = suffixes(i);
  const contracts = [...tags].sort(([a], [b]) => a.localeCompare(b)).map(([c, s]) => `${c}${s}`);
  const held = new Map<string, number>();
  for (const p of i.positions) held.set(p.contractDate, (held.get(p.contractDate) ?? 0) + p.position);
  const positions = [...held]
    .filter(([, q]) => q !== 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([c, q]) => `${c}${tags.get(c) ?? ''}:${q}`);
  const vp = smoothedVolume(i.pricedVolumes);
  const vf = smoothedVolume(i.forwardVolumes);
  const top = Math.max(vp, vf);
  const rel = (v: number) => (Number.isFinite(v) && top > 0 ? v / top : Number.NaN);
  const forwardToPriced = vp > 0 && Number.isFinite(vf) ? vf / vp : Number.NaN;
  return {
    instrument_code: i.instrumentCode,
    status: i.rollState,
    roll_expiry: base.rollExpiry,
    price_expiry: base.priceExpiry,
    carry_expiry: base.carryExpiry,
    contracts: contracts.join(' '),
    positions: positions.join(' '),
    position_priced: base.positionPriced,
    position_forward: base.positionForward,
    relative_volume_priced: rel(vp),
    relative_volume_forward: rel(vf),
    forward_to_priced_volume: forwardToPriced,
    smoothed_volume_forward: vf,
    suggested: suggestRollState(
      {
        pricedPosition: base.positionPriced,
        daysUntilRoll: base.rollExpiry ?? base.priceExpiry,
        daysUntilPriceExpiry: base.priceExpiry,
        relativeVolume: forwardToPriced,
        forwardVolume: vf,
      },
      cfg,
    ),
  };
}

/** Sorted by days to the roll (then the instrument), as the reference's report. */
export function rollStatusReport(
  inputs: RollStatusInput[],
  now: number,
  cfg?: RollAutoUpdateConfig,
): RollStatusRow[] {
  return inputs
    .map((i) => rollStatusRow(i, now, cfg))
    .sort(
      (a, b) =>
        (a.roll_expiry ?? a.price_expiry) - (b.roll_expiry ?? b.price_expiry) ||
        a.instrument_code.localeCompare(b.instrument_code),
    );
}

/** Auto-cycle's choice (digest §3.4): min(days to carry expiry, to roll, to price expiry) ≤ N. */
export const dueForRoll = (r: RollStatusRow, days: number): boolean =>
  Math.min(r.carry_expiry, r.roll_expiry ?? Infinity, r.price_expiry) <= days;
