import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocateStrategyCapital,
  allowanceBalance,
  checkAllowanceEntry,
  weightedStrategyAllocation,
} from '../../../src/domain/capital/strategy-allocation.ts';

describe('weighted strategy allocation (digest §5.2)', () => {
  it('capital_s = w_s / Σw × C', () => {
    expect(weightedStrategyAllocation(1_000_000, ['a', 'b'], { a: 30, b: 10 })).toEqual({
      a: 750_000,
      b: 250_000,
    });
  });
  it('no weights → equal', () => {
    expect(weightedStrategyAllocation(900, ['a', 'b', 'c'])).toEqual({ a: 300, b: 300, c: 300 });
  });
  it('allocations always add up to the total', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 1, maxLength: 8 }),
        (total, ws) => {
          const names = ws.map((_, i) => `s${i}`);
          const alloc = weightedStrategyAllocation(
            total,
            names,
            Object.fromEntries(names.map((n, i) => [n, ws[i]!])),
          );
          const sum = Object.values(alloc).reduce((a, b) => a + b, 0);
          expect(sum).toBeCloseTo(total, 3);
        },
      ),
    );
  });
  it('refuses negative or all-zero weights', () => {
    expect(() => weightedStrategyAllocation(1, ['a'], { a: -1 })).toThrow(/>= 0/);
    expect(() => weightedStrategyAllocation(1, ['a'], { a: 0 })).toThrow(/sum to zero/);
  });
});

describe('allowance method (seed journal)', () => {
  const ledger = [
    { timestamp: 1, kind: 'allowance' as const, amount: 100 },
    { timestamp: 2, kind: 'pnl' as const, amount: 30 },
    { timestamp: 3, kind: 'pnl' as const, amount: -10 },
    { timestamp: 4, kind: 'fees' as const, amount: 2 },
    { timestamp: 5, kind: 'deposit' as const, amount: 50 },
    { timestamp: 6, kind: 'withdrawal' as const, amount: 20 },
  ];
  it('keeps its own P&L apart from flows', () => {
    expect(allowanceBalance(ledger)).toEqual({
      allowance: 100,
      profit: 30,
      loss: 10,
      fees: 2,
      deposits: 50,
      withdrawals: 20,
      balance: 148,
      performance: 18 / 130,
    });
  });
  it('refuses a second allowance and an overdrawn withdrawal', () => {
    expect(() => checkAllowanceEntry(ledger, { timestamp: 7, kind: 'allowance', amount: 5 })).toThrow(
      /already/,
    );
    expect(() => checkAllowanceEntry(ledger, { timestamp: 7, kind: 'withdrawal', amount: 149 })).toThrow(
      /exceeds/,
    );
    expect(() => checkAllowanceEntry(ledger, { timestamp: 7, kind: 'deposit', amount: 0 })).toThrow(/> 0/);
  });
  it('weighted strategies share what allowance strategies do not hold', () => {
    const alloc = allocateStrategyCapital({
      total_capital: 1_000,
      strategies: {
        fixed: { method: 'allowance', initial: 100 },
        a: { method: 'weighted', weight: 3 },
        b: { method: 'weighted', weight: 1 },
      },
      ledgers: { fixed: ledger },
    });
    expect(alloc).toEqual({ fixed: 148, a: 639, b: 213 });
    const fresh = allocateStrategyCapital({
      total_capital: 1_000,
      strategies: { fixed: { method: 'allowance', initial: 100 } },
      ledgers: {},
    });
    expect(fresh).toEqual({ fixed: 100 });
  });
});
