import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  acceptLargeChange,
  adjustForDelta,
  applyCapitalMethod,
  type CapitalRow,
  deleteCapitalSince,
  initialiseCapital,
  modifyCapital,
  updateTotalCapital,
} from '../../../src/domain/capital/total-capital.ts';

const row = (v: number, c: number, m: number, a: number): CapitalRow => ({
  timestamp: 0,
  kind: 'update',
  broker_account_value: v,
  total_capital: c,
  max_capital: m,
  accumulated_pnl: a,
});

describe('capital methods (digest §5.1)', () => {
  const prev = row(100_000, 90_000, 95_000, 1_000);
  it('full: C = max(C + pnl, 0), M = C', () => {
    const r = updateTotalCapital(prev, 108_000, 'full', 5);
    expect(r).toEqual({
      outcome: 'written',
      row: {
        timestamp: 5,
        kind: 'update',
        broker_account_value: 108_000,
        total_capital: 98_000,
        max_capital: 98_000,
        accumulated_pnl: 9_000,
      },
    });
  });
  it('half: C = max(min(C + pnl, M), 0), M unchanged', () => {
    expect(applyCapitalMethod('half', prev, 8_000)).toEqual({
      total_capital: 95_000,
      max_capital: 95_000,
      accumulated_pnl: 9_000,
    });
    expect(applyCapitalMethod('half', prev, -4_000)).toEqual({
      total_capital: 86_000,
      max_capital: 95_000,
      accumulated_pnl: -3_000,
    });
  });
  it('fixed: C unchanged, M = C', () => {
    expect(applyCapitalMethod('fixed', prev, -9_000)).toEqual({
      total_capital: 90_000,
      max_capital: 90_000,
      accumulated_pnl: -8_000,
    });
  });
  it('capital never goes negative and half never exceeds its high-water mark', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.double({ min: -2e7, max: 2e7, noNaN: true }),
        fc.constantFrom('full' as const, 'half' as const, 'fixed' as const),
        (c, m, pnl, method) => {
          const r = applyCapitalMethod(method, { total_capital: c, max_capital: m, accumulated_pnl: 0 }, pnl);
          expect(r.total_capital).toBeGreaterThanOrEqual(0);
          expect(r.accumulated_pnl === pnl).toBe(true);
          if (method === 'half') expect(r.total_capital).toBeLessThanOrEqual(Math.max(m, 0));
        },
      ),
    );
  });
});

describe('the 10% guard', () => {
  const prev = row(100_000, 100_000, 100_000, 0);
  it('exactly 10% is written; more is held and nothing is written', () => {
    expect(updateTotalCapital(prev, 110_000, 'full', 1).outcome).toBe('written');
    const r = updateTotalCapital(prev, 89_999, 'full', 1);
    expect(r).toEqual({
      outcome: 'held',
      pending: {
        detected_at: 1,
        previous_account_value: 100_000,
        new_account_value: 89_999,
        pnl: -10_001,
        change: -0.10001,
      },
    });
  });
  it('accepting applies a fresh poll with the limit off', () => {
    const r = updateTotalCapital(prev, 150_000, 'full', 1);
    if (r.outcome !== 'held') throw new Error('expected held');
    const accepted = acceptLargeChange(prev, r.pending, 151_000, 'full', 2);
    expect(accepted.total_capital).toBe(151_000);
    expect(accepted.accumulated_pnl).toBe(51_000);
    expect(() => acceptLargeChange(prev, undefined, 151_000, 'full', 2)).toThrow(/no large capital change/);
    const moved = row(120_000, 100_000, 100_000, 0);
    expect(() => acceptLargeChange(moved, r.pending, 151_000, 'full', 2)).toThrow(/no longer matches/);
  });
  it('with no previous row the first update initialises (V = C = M, A = 0)', () => {
    expect(updateTotalCapital(undefined, 50_000, 'half', 9)).toEqual({
      outcome: 'written',
      row: {
        timestamp: 9,
        kind: 'initialise',
        broker_account_value: 50_000,
        total_capital: 50_000,
        max_capital: 50_000,
        accumulated_pnl: 0,
      },
    });
  });
});

describe('flows, initialise, modify, delete since', () => {
  it('a deposit moves only the account value, so the next pnl excludes it', () => {
    const prev = row(100_000, 100_000, 100_000, 0);
    const dep = adjustForDelta(prev, 20_000, 1);
    expect(dep).toMatchObject({
      kind: 'deposit',
      broker_account_value: 120_000,
      total_capital: 100_000,
      delta: 20_000,
    });
    const r = updateTotalCapital(dep, 121_000, 'full', 2);
    expect(r.outcome === 'written' && r.row.total_capital).toBe(101_000);
    expect(adjustForDelta(prev, -5_000, 1).kind).toBe('withdrawal');
    expect(() => adjustForDelta(prev, 0, 1)).toThrow(/must not be zero/);
    expect(() => adjustForDelta(undefined, 10, 1)).toThrow(/not been initialised/);
  });
  it('initialise can override each value; bad values are refused', () => {
    expect(initialiseCapital(3, { broker_account_value: 10, total_capital: 8 })).toMatchObject({
      broker_account_value: 10,
      total_capital: 8,
      max_capital: 8,
      accumulated_pnl: 0,
    });
    expect(() => initialiseCapital(3, { broker_account_value: Number.NaN })).toThrow(/finite number/);
  });
  it('modify changes only the named values; delete since keeps earlier rows', () => {
    const prev = row(100, 90, 95, 1);
    expect(modifyCapital(prev, { total_capital: 80, max_capital: 85 }, 7)).toEqual({
      ...prev,
      timestamp: 7,
      kind: 'modify',
      total_capital: 80,
      max_capital: 85,
    });
    expect(() => modifyCapital(prev, {}, 7)).toThrow(/nothing to modify/);
    expect(() => modifyCapital(prev, { total_capital: -1 }, 7)).toThrow(/must not be negative/);
    const rows = [1, 2, 3].map((t) => ({ ...prev, timestamp: t }));
    expect(deleteCapitalSince(rows, 2).map((r) => r.timestamp)).toEqual([1]);
  });
});
