/** Named trade-limit charges (digest D4a, F9): a charge naming its broker order counts once per period. */
import { describe, expect, it } from 'vitest';
import { memoryTradeLimits } from '../../actors/stack/ports.ts';
import { lotsPerUnit, submittedLots } from '../../actors/stack/trade-limit-charges.ts';
import {
  charged,
  newTradeLimit,
  resetTradeLimit,
  rolled,
  tradeCapacity,
  withLimit,
} from '../../src/domain/orders/trade-limits.ts';

const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);
const DAY = 86_400_000;
const limit = newTradeLimit({ instrumentCode: 'SOFR', strategyName: '', periodDays: 1, tradeLimit: 10 }, T0);
const c = (key: string, at = T0 + 10) => ({ key, at });

describe('named trade-limit charges', () => {
  it('a charge whose key the limit holds changes nothing; another key counts', () => {
    const one = charged(limit, 3, T0 + 10, c('P:7@1'));
    expect(one).toMatchObject({ tradesSinceLastReset: 3, chargeKeys: ['P:7@1'] });
    expect(charged(one, 3, T0 + 20, c('P:7@1'))).toBe(one);
    const two = charged(one, [-1, 1], T0 + 20, c('P:8@2'));
    expect(two).toMatchObject({ tradesSinceLastReset: 5, chargeKeys: ['P:7@1', 'P:8@2'] });
    expect(tradeCapacity(two, T0 + 30)).toBe(5);
  });

  it('an unnamed charge always counts and adds no key', () => {
    const twice = charged(charged(limit, 2, T0 + 1), 2, T0 + 2);
    expect(twice.tradesSinceLastReset).toBe(4);
    expect(twice.chargeKeys).toEqual([]);
  });

  it('every reset forgets the keys: the lazy rolling reset, a manual reset; a changed limit keeps them', () => {
    const one = charged(limit, 3, T0 + 10, c('P:7@1'));
    expect(withLimit(one, 20).chargeKeys).toEqual(['P:7@1']);
    expect(resetTradeLimit(one, T0 + 20)).toEqual({ ...limit, lastResetTime: T0 + 20 });
    const next = rolled(one, T0 + DAY + 11);
    expect(next).toEqual({ ...limit, lastResetTime: T0 + DAY + 11 });
    // the same key made in the new period counts in it
    expect(charged(one, 3, T0 + DAY + 11, c('P:7@1', T0 + DAY + 11))).toMatchObject({
      tradesSinceLastReset: 3,
      chargeKeys: ['P:7@1'],
      lastResetTime: T0 + DAY + 11,
    });
  });

  it('a charge made before the last reset belongs to a period already reset: not counted', () => {
    const reset = resetTradeLimit(charged(limit, 3, T0 + 10, c('P:7@1')), T0 + 100);
    expect(charged(reset, 3, T0 + 200, c('P:7@1', T0 + 10))).toBe(reset);
    // ... and the lazy reset on the same read counts as a reset before it
    const lapsed = charged(limit, 3, T0 + DAY + 5, c('P:9@3', T0 + 50));
    expect(lapsed).toEqual({ ...limit, lastResetTime: T0 + DAY + 5 });
    // a charge made at the reset's own time counts
    expect(charged(reset, 2, T0 + 100, c('P:10@4', T0 + 100)).tradesSinceLastReset).toBe(2);
  });

  it('a limit stored before charges were named (no key list) reads and charges as before', () => {
    const old = JSON.parse(
      '{"instrumentCode":"SOFR","strategyName":"","periodDays":1,"tradeLimit":10,"tradesSinceLastReset":4,"lastResetTime":' +
        String(T0) +
        '}',
    ) as typeof limit;
    expect(tradeCapacity(old, T0 + 1)).toBe(6);
    expect(charged(old, 1, T0 + 2)).toMatchObject({ tradesSinceLastReset: 5 });
    // which broker orders its count holds is unknown: a charge of one that ended before (a
    // restore's) is taken as counted; one made now is counted and starts the list
    expect(charged(old, 1, T0 + 20, c('P:0@0', T0 + 5))).toBe(old);
    const listed = charged(old, 1, T0 + 20, c('P:1@1', T0 + 20));
    expect(listed).toMatchObject({
      tradesSinceLastReset: 5,
      chargeKeys: ['P:1@1'],
      chargeKeysSince: T0 + 20,
    });
    expect(charged(listed, 1, T0 + 30, c('P:1@1', T0 + 20))).toBe(listed);
    expect(charged(listed, 1, T0 + 30, c('P:0@0', T0 + 5))).toBe(listed);
    expect(charged(listed, 1, T0 + 30, c('P:2@2', T0 + 25)).tradesSinceLastReset).toBe(6);
    // a reset starts the list at the reset
    expect(resetTradeLimit(listed, T0 + 40)).toEqual({
      ...old,
      tradesSinceLastReset: 0,
      lastResetTime: T0 + 40,
      chargeKeys: [],
    });
  });

  it('the in-memory limits (tests, benchmarks) count a named charge once per period too', () => {
    const m = memoryTradeLimits([{ instrumentCode: 'SOFR', periodDays: 1, limit: 10 }]);
    expect(m.allowed('ewmac', 'SOFR', T0)).toBe(10);
    m.charge('ewmac', 'SOFR', 3, T0 + 1, c('P:1@1', T0 + 1));
    m.charge('ewmac', 'SOFR', 3, T0 + 2, c('P:1@1', T0 + 1));
    m.chargeMany(
      [
        { strategyName: 'ewmac', instrumentCode: 'SOFR', qty: 3, charge: c('P:1@1', T0 + 1) },
        { strategyName: 'carry', instrumentCode: 'SOFR', qty: -2, charge: c('P:2@2', T0 + 2) },
        { strategyName: 'carry', instrumentCode: 'SOFR', qty: 1 },
      ],
      T0 + 3,
    );
    expect(m.allowed('ewmac', 'SOFR', T0 + 4)).toBe(4);
    // the next period: the keys are forgotten, an end dated before its reset is not counted
    m.charge('ewmac', 'SOFR', 3, T0 + DAY + 5, c('P:1@1', T0 + 1));
    expect(m.allowed('ewmac', 'SOFR', T0 + DAY + 5)).toBe(10);
    m.charge('ewmac', 'SOFR', 3, T0 + DAY + 6, c('P:1@1', T0 + DAY + 6));
    expect(m.allowed('ewmac', 'SOFR', T0 + DAY + 6)).toBe(7);
  });
});

describe('what a broker order charges (D4a, F9: Σ|legs|)', () => {
  it('an outright charges |trade|; a calendar spread Σ|legs| (a [−1, +1] roll spread counts 2 per spread)', () => {
    expect(submittedLots({ trade: -3 })).toBe(3);
    const spread = [
      { instrumentCode: 'SOFR', contractDate: '202612', qty: -2 },
      { instrumentCode: 'SOFR', contractDate: '202703', qty: 2 },
    ];
    expect(lotsPerUnit({ legs: spread })).toBe(2);
    expect(submittedLots({ trade: -2, legs: spread })).toBe(4);
    const ratio = [
      { instrumentCode: 'SOFR', contractDate: '202612', qty: 1 },
      { instrumentCode: 'SOFR', contractDate: '202703', qty: -2 },
    ];
    expect(submittedLots({ trade: 1, legs: ratio })).toBe(3);
    expect(lotsPerUnit({ legs: [spread[0]!] })).toBe(1);
  });
});
