/**
 * The decisions of crash recovery (production doc "Recovering from a crash"), pure: which
 * positions break with the broker and which balance trades would mend them, and which of the
 * day's updates were missed and in what order they must run again.
 */
import { localDate, minuteOfDay, parseTimeOfDay } from './process-control/timing.ts';

export interface ContractPositionRow {
  instrumentCode: string;
  contractDate: string;
  position: number;
}

export interface StrategyPositionRow {
  strategyName: string;
  instrumentCode: string;
  position: number;
}

/** A contract position that differs from the broker's: a balance trade of `broker - ours`. */
export interface ContractBreak {
  instrumentCode: string;
  contractDate: string;
  ours: number;
  broker: number;
}

/** An instrument whose strategy positions do not add up to its contract positions. */
export interface InstrumentBreak {
  instrumentCode: string;
  contracts: number;
  strategies: number;
}

/** A balance trade to book: at contract level (with `contractDate`) or instrument level only. */
export interface BalanceProposal {
  strategyName: string;
  instrumentCode: string;
  contractDate?: string;
  qty: number;
  /** Unknown when no broker execution suggests one: never read as zero. */
  price: number | undefined;
}

const key = (i: string, c: string) => `${i}/${c}`;

/** Contract positions that differ from the broker's (a missing position counts as 0), sorted. */
export function contractBreaks(ours: ContractPositionRow[], broker: ContractPositionRow[]): ContractBreak[] {
  const mine = new Map(ours.map((r) => [key(r.instrumentCode, r.contractDate), r.position]));
  const theirs = new Map(broker.map((r) => [key(r.instrumentCode, r.contractDate), r.position]));
  const out: ContractBreak[] = [];
  for (const k of [...new Set([...mine.keys(), ...theirs.keys()])].sort()) {
    const o = mine.get(k) ?? 0;
    const b = theirs.get(k) ?? 0;
    if (o === b) continue;
    const [instrumentCode = '', contractDate = ''] = k.split('/');
    out.push({ instrumentCode, contractDate, ours: o, broker: b });
  }
  return out;
}

/** Instruments whose strategy positions differ from the sum of their contract positions. */
export function instrumentBreaks(
  contracts: ContractPositionRow[],
  strategies: StrategyPositionRow[],
): InstrumentBreak[] {
  const sum = (rows: Array<{ instrumentCode: string; position: number }>) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(r.instrumentCode, (m.get(r.instrumentCode) ?? 0) + r.position);
    return m;
  };
  const c = sum(contracts);
  const s = sum(strategies);
  return [...new Set([...c.keys(), ...s.keys()])]
    .sort()
    .map((i) => ({ instrumentCode: i, contracts: c.get(i) ?? 0, strategies: s.get(i) ?? 0 }))
    .filter((b) => b.contracts !== b.strategies);
}

/**
 * The strategy a contract break is booked to: the one strategy holding the instrument, else the
 * first configured strategy (a person can choose another when asked).
 */
export function strategyForBreak(
  instrumentCode: string,
  strategies: StrategyPositionRow[],
  configured: string[],
): string | undefined {
  const holders = [
    ...new Set(
      strategies
        .filter((r) => r.instrumentCode === instrumentCode && r.position !== 0)
        .map((r) => r.strategyName),
    ),
  ];
  return holders.length === 1 ? holders[0] : configured[0];
}

/**
 * A price for a balance trade of `qty`: the quantity-weighted price of the broker's latest
 * executions in that contract with the trade's sign, as many as make up `qty` (the reference:
 * "get the fill prices from your brokerage website"). Undefined when there are none.
 */
export function suggestedBalancePrice(
  fills: Array<{ instrumentCode: string; contractDate: string; qty: number; price: number; time: number }>,
  instrumentCode: string,
  contractDate: string,
  qty: number,
): number | undefined {
  const same = fills
    .filter((f) => f.instrumentCode === instrumentCode && f.contractDate === contractDate)
    .filter((f) => Math.sign(f.qty) === Math.sign(qty))
    .sort((a, b) => b.time - a.time);
  let left = Math.abs(qty);
  let value = 0;
  let taken = 0;
  for (const f of same) {
    if (left <= 0) break;
    const n = Math.min(left, Math.abs(f.qty));
    value += n * f.price;
    taken += n;
    left -= n;
  }
  return taken > 0 ? value / taken : undefined;
}

export interface UpdateProcess {
  name: string;
  startTime: string;
  previousProcess: string | undefined;
}

export interface UpdateRecord {
  lastEnd: number | undefined;
  recentlyCrashed: boolean;
}

/** The day's update processes, in the reference's order ("Recovering from a crash"). */
export const DAILY_UPDATES = [
  'run_daily_prices_updates',
  'run_capital_update',
  'run_systems',
  'run_strategy_order_generator',
] as const;

/**
 * Why a process's run today was missed, or undefined when it was not: its start time has
 * passed today and it has not finished since, or its last run crashed.
 */
export function missedReason(
  p: UpdateProcess,
  r: UpdateRecord,
  now: number,
  timeZone: string,
): string | undefined {
  if (r.recentlyCrashed) return 'its last run crashed';
  const start = parseTimeOfDay(p.startTime);
  const m = minuteOfDay(now, timeZone);
  if (m < start) return undefined;
  const startedAt = now - (m - start) * 60_000;
  if (r.lastEnd === undefined) return 'never finished';
  if (r.lastEnd < startedAt)
    return `last finished ${localDate(r.lastEnd, timeZone)}, before today's ${p.startTime} start`;
  return undefined;
}

/**
 * Processes in dependency order: each after its `previousProcess` when that is in the list,
 * otherwise in the given order.
 */
export function dependencyOrder<P extends UpdateProcess>(ps: P[]): P[] {
  const byName = new Map(ps.map((p) => [p.name, p]));
  const out: P[] = [];
  const visit = (p: P, seen: Set<string>) => {
    if (out.includes(p) || seen.has(p.name)) return;
    seen.add(p.name);
    const before = p.previousProcess ? byName.get(p.previousProcess) : undefined;
    if (before) visit(before, seen);
    out.push(p);
  };
  for (const p of ps) visit(p, new Set());
  return out;
}
