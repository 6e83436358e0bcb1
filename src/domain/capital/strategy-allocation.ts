/**
 * Strategy capital (digest §5.2; `sysproduction/strategy_code/strategy_allocation.py`) and the
 * seed journal's allowance method.
 *
 * - weighted: capital_s = (w_s / Σw) × C_total; no weights → equal over the strategy list.
 * - allowance (trading-journal.md): the strategy starts with a fixed amount; its own P&L is
 *   added, losses subtracted; deposits and withdrawals are kept apart from performance. It
 *   does not know the total balance. When both kinds exist, the weighted strategies share
 *   what the allowance strategies do not hold (with none, this is the reference's rule).
 */

export type StrategyCapitalMethod =
  { method: 'weighted'; weight?: number } | { method: 'allowance'; initial: number };

export type AllowanceEntryKind = 'allowance' | 'pnl' | 'fees' | 'deposit' | 'withdrawal';

export interface AllowanceEntry {
  timestamp: number;
  kind: AllowanceEntryKind;
  /** Signed for pnl; positive amounts for allowance, fees, deposit and withdrawal. */
  amount: number;
}

export interface AllowanceBalance {
  allowance: number;
  profit: number;
  loss: number;
  fees: number;
  deposits: number;
  withdrawals: number;
  /** allowance + profit − loss − fees + deposits − withdrawals. */
  balance: number;
  /** (profit − loss − fees) / (allowance + deposits − withdrawals), or 0 with no base. */
  performance: number;
}

export class AllocationError extends Error {}

export function allowanceBalance(entries: AllowanceEntry[]): AllowanceBalance {
  const b = { allowance: 0, profit: 0, loss: 0, fees: 0, deposits: 0, withdrawals: 0 };
  for (const e of entries) {
    if (!Number.isFinite(e.amount))
      throw new AllocationError(`allowance entry amount must be finite, got ${e.amount}`);
    switch (e.kind) {
      case 'allowance':
        b.allowance += e.amount;
        break;
      case 'pnl':
        if (e.amount >= 0) b.profit += e.amount;
        else b.loss -= e.amount;
        break;
      case 'fees':
        b.fees += e.amount;
        break;
      case 'deposit':
        b.deposits += e.amount;
        break;
      case 'withdrawal':
        b.withdrawals += e.amount;
        break;
    }
  }
  const base = b.allowance + b.deposits - b.withdrawals;
  const net = b.profit - b.loss - b.fees;
  return { ...b, balance: base + net, performance: base > 0 ? net / base : 0 };
}

/** Validate one new ledger entry against the current balance (no overdrawn withdrawal). */
export function checkAllowanceEntry(entries: AllowanceEntry[], entry: AllowanceEntry): void {
  if (!Number.isFinite(entry.amount)) throw new AllocationError('amount must be a finite number');
  if (entry.kind !== 'pnl' && entry.amount <= 0)
    throw new AllocationError(`${entry.kind} amount must be > 0`);
  if (entry.kind === 'allowance' && entries.some((e) => e.kind === 'allowance'))
    throw new AllocationError('the strategy already has its starting allowance; use a deposit');
  if (entry.kind === 'withdrawal' && entry.amount > allowanceBalance(entries).balance)
    throw new AllocationError('withdrawal exceeds the strategy balance');
}

/** The reference's weighted allocation. Weights missing → equal weights over `strategies`. */
export function weightedStrategyAllocation(
  total: number,
  strategies: string[],
  weights?: Record<string, number>,
): Record<string, number> {
  if (strategies.length === 0) return {};
  const w = strategies.map((s) => (weights ? (weights[s] ?? 0) : 1 / strategies.length));
  if (w.some((x) => !Number.isFinite(x) || x < 0)) throw new AllocationError('strategy weights must be >= 0');
  const sum = w.reduce((a, b) => a + b, 0);
  if (sum <= 0) throw new AllocationError('strategy weights sum to zero');
  return Object.fromEntries(strategies.map((s, i) => [s, (w[i]! / sum) * total]));
}

export interface StrategyAllocationInput {
  total_capital: number;
  strategies: Record<string, StrategyCapitalMethod>;
  ledgers: Record<string, AllowanceEntry[]>;
}

/** Capital of every strategy, by its method. */
export function allocateStrategyCapital(input: StrategyAllocationInput): Record<string, number> {
  const out: Record<string, number> = {};
  let held = 0;
  const weighted: string[] = [];
  const weights: Record<string, number> = {};
  let anyWeight = false;
  for (const [name, m] of Object.entries(input.strategies)) {
    if (m.method === 'allowance') {
      const entries = input.ledgers[name] ?? [];
      const bal = entries.length > 0 ? allowanceBalance(entries).balance : m.initial;
      out[name] = Math.max(bal, 0);
      held += out[name]!;
    } else {
      weighted.push(name);
      if (m.weight !== undefined) {
        anyWeight = true;
        weights[name] = m.weight;
      }
    }
  }
  const remainder = Math.max(input.total_capital - held, 0);
  Object.assign(out, weightedStrategyAllocation(remainder, weighted, anyWeight ? weights : undefined));
  return out;
}
