import type { RollParameters } from './types.ts';

/** Month letters F=Jan … Z=Dec (pysystemtrade `syscore/dateutils.py`). */
export const MONTH_LETTERS = 'FGHJKMNQUVXZ';

export interface YearMonth {
  year: number;
  month: number;
}

/** `YYYYMM00` / `YYYYMMDD` / `YYYYMM` → year and month. */
export function parseContractDate(contract: string): YearMonth {
  if (!/^\d{6}(\d{2})?$/.test(contract)) throw new Error(`bad contract date '${contract}'`);
  const year = Number(contract.slice(0, 4));
  const month = Number(contract.slice(4, 6));
  if (month < 1 || month > 12) throw new Error(`bad contract month in '${contract}'`);
  return { year, month };
}

/** pysystemtrade's contract id for a month: `YYYYMM00`. */
export function contractDateString({ year, month }: YearMonth): string {
  return `${year}${month < 10 ? '0' : ''}${month}00`;
}

function cycleMonths(cycle: string): number[] {
  const months = [...cycle].map((c) => MONTH_LETTERS.indexOf(c) + 1);
  if (months.length === 0 || months.some((m) => m <= 0)) throw new Error(`bad roll cycle '${cycle}'`);
  return [...new Set(months)].sort((a, b) => a - b);
}

/** Move `steps` contracts along a roll cycle (negative steps go back). */
export function stepInCycle(contract: string, cycle: string, steps: number): string {
  const months = cycleMonths(cycle);
  let { year, month } = parseContractDate(contract);
  let idx = months.indexOf(month);
  if (idx < 0) throw new Error(`contract ${contract} is not in roll cycle ${cycle}`);
  for (let s = 0; s < Math.abs(steps); s++) {
    if (steps > 0) {
      idx++;
      if (idx === months.length) {
        idx = 0;
        year++;
      }
    } else {
      idx--;
      if (idx < 0) {
        idx = months.length - 1;
        year--;
      }
    }
  }
  month = months[idx] as number;
  return contractDateString({ year, month });
}

/** The next held contract after `contract` (HoldRollCycle). */
export function nextHeldContract(contract: string, roll: RollParameters): string {
  return stepInCycle(contract, roll.holdRollCycle, 1);
}

/** The carry contract of a priced contract: CarryOffset (±1) along PricedRollCycle (data doc §3). */
export function carryContractFor(priceContract: string, roll: RollParameters): string {
  return stepInCycle(priceContract, roll.pricedRollCycle, roll.carryOffset);
}

/** Every PricedRollCycle contract from `first` to `last` inclusive (the contract chain). */
export function contractChain(first: string, last: string, roll: RollParameters): string[] {
  const out = [first];
  let c = first;
  while (c < last && out.length < 100) {
    c = stepInCycle(c, roll.pricedRollCycle, 1);
    out.push(c);
  }
  return out;
}

/** Approximate expiry: the 1st of the contract month plus ExpiryOffset days (`YYYYMMDD`). */
export function approximateExpiry(contract: string, roll: RollParameters): string {
  const { year, month } = parseContractDate(contract);
  const d = new Date(Date.UTC(year, month - 1, 1 + roll.expiryOffset));
  const p = (n: number): string => (n < 10 ? `0${n}` : String(n));
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`;
}
