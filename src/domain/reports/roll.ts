/**
 * Roll report (digest §8 "Roll", `reporting/data/rolls.py`): one row per instrument in multiple
 * prices, from its last row: the priced, forward and carry contracts, days to the priced and carry
 * contracts' expiries, days to the roll date, and our positions in the priced and forward
 * contracts. Expiries are the approximate ones (1st of the contract month + ExpiryOffset, digest
 * §6 `approximateExpiry`; 0 offset without a roll config); the roll date is the priced expiry +
 * RollOffsetDays (negative: before expiry). Volumes: each contract's smoothed volume = the last
 * value of the EWMA (span 3) of its daily volumes of the last 14 days (the reference's
 * `get_smoothed_volume_ignoring_old_data`; unknown, not zero, without recent volumes);
 * relative_volume_fwd = forward / priced smoothed volume, rounded to 3 dp. Status: the stored roll
 * status of the instrument (its roll status actor's state; no record is No_Roll).
 */
import { ewmMean } from '../ewm.ts';
import type { RollParameters } from '../prices/types.ts';
import { approximateExpiry } from '../prices/contract-dates.ts';
import { DAY_MS } from './pandl.ts';
import { type Report, reportText, section, table } from './format.ts';
import type { RollState } from '../rolls/roll-state.ts';

export interface RollInput {
  instrumentCode: string;
  priceContract: string;
  forwardContract: string;
  carryContract: string;
  roll?: RollParameters;
  /** Our positions by contract id (any day part: matched by month). */
  positions: Array<{ contractDate: string; position: number }>;
  /** Daily volumes (time, contracts) of the priced and forward contracts, oldest first. */
  volumes?: { priced: Array<[number, number]>; forward: Array<[number, number]> };
  /** The stored roll status (KV `<PREFIX>_ROLL_STATUS`; no record is No_Roll); undefined: not read. */
  rollState?: RollState;
}

export interface RollRow {
  instrumentCode: string;
  /** The stored roll status; undefined when it was not read. */
  status?: RollState;
  rollExpiry: number | null;
  priceExpiry: number;
  carryExpiry: number;
  contractPriced: string;
  contractForward: string;
  contractCarry: string;
  positionPriced: number;
  positionForward: number;
  relativeVolumeForward?: number;
  contractVolumeForward?: number;
}

const VOLUME_DAYS = 14;

/** EWMA (span 3) of the daily volumes of the last 14 days, at the last one; undefined with none. */
export function smoothedVolume(volumes: Array<[number, number]>, now: number): number | undefined {
  const recent = volumes.filter(
    ([t, v]) => t >= now - VOLUME_DAYS * DAY_MS && t <= now && Number.isFinite(v),
  );
  if (recent.length === 0) return undefined;
  const s = ewmMean(
    Float64Array.from(recent, ([, v]) => v),
    { span: 3 },
  );
  return s[s.length - 1];
}

/** The reference's stand-in for a zero priced volume (`NOTIONALLY_ZERO_VOLUME`). */
const NOTIONALLY_ZERO_VOLUME = 0.0001;

const NO_OFFSET: RollParameters = {
  holdRollCycle: '',
  rollOffsetDays: 0,
  carryOffset: 0,
  pricedRollCycle: '',
  expiryOffset: 0,
};

const dayMs = (yyyymmdd: string) =>
  Date.UTC(Number(yyyymmdd.slice(0, 4)), Number(yyyymmdd.slice(4, 6)) - 1, Number(yyyymmdd.slice(6, 8)));

/** Whole days from `now`'s UTC date to the contract's approximate expiry (negative once past). */
export function daysToExpiry(contract: string, now: number, roll: RollParameters = NO_OFFSET): number {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return Math.round((dayMs(approximateExpiry(contract, roll)) - today) / DAY_MS);
}

export function rollRow(input: RollInput, now: number): RollRow {
  const month = (c: string) => c.slice(0, 6);
  const pos = (c: string) =>
    input.positions.filter((p) => month(p.contractDate) === month(c)).reduce((s, p) => s + p.position, 0);
  const priceExpiry = daysToExpiry(input.priceContract, now, input.roll);
  const priced = input.volumes ? smoothedVolume(input.volumes.priced, now) : undefined;
  const forward = input.volumes ? smoothedVolume(input.volumes.forward, now) : undefined;
  return {
    instrumentCode: input.instrumentCode,
    ...(input.rollState !== undefined ? { status: input.rollState } : {}),
    rollExpiry: input.roll ? priceExpiry + input.roll.rollOffsetDays : null,
    priceExpiry,
    carryExpiry: daysToExpiry(input.carryContract, now, input.roll),
    contractPriced: input.priceContract,
    contractForward: input.forwardContract,
    contractCarry: input.carryContract,
    positionPriced: pos(input.priceContract),
    positionForward: pos(input.forwardContract),
    relativeVolumeForward:
      priced === undefined || forward === undefined
        ? undefined
        : Math.round((forward / (priced === 0 ? NOTIONALLY_ZERO_VOLUME : priced)) * 1000) / 1000,
    contractVolumeForward: forward === undefined ? undefined : Math.round(forward),
  };
}

export function rollReport(inputs: RollInput[], now: number): Report<RollRow[]> {
  const rows = inputs
    .map((i) => rollRow(i, now))
    .sort(
      (a, b) =>
        (a.rollExpiry ?? a.priceExpiry) - (b.rollExpiry ?? b.priceExpiry) ||
        a.instrumentCode.localeCompare(b.instrumentCode),
    );
  const text = reportText('Roll report', now, [
    section(
      'Rolls (days; sorted by roll_expiry)',
      table(
        [
          'instrument',
          'status',
          'roll_expiry',
          'price_expiry',
          'carry_expiry',
          'contract_priced',
          'contract_fwd',
          'contract_carry',
          'position_priced',
          'position_fwd',
          'relative_volume_fwd',
          'contract_volume_fwd',
        ],
        rows.map((r) => [
          r.instrumentCode,
          r.status ?? 'n/a',
          r.rollExpiry ?? undefined,
          r.priceExpiry,
          r.carryExpiry,
          r.contractPriced,
          r.contractForward,
          r.contractCarry,
          r.positionPriced,
          r.positionForward,
          r.relativeVolumeForward === undefined ? 'n/a' : r.relativeVolumeForward.toFixed(3),
          r.contractVolumeForward ?? 'n/a',
        ]),
      ),
    ),
  ]);
  return { name: 'roll_report', generatedAt: now, text, data: rows };
}
