/**
 * Named trade-limit charges on both storage backends (JetStream KV and MongoDB,
 * test/store/backends.ts): a charge made again counts once, also across two writers at once and
 * in one batch; a reset forgets the keys; a limit stored without a key list reads and charges.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import { type Backend, jetstreamBackend, mongoBackend } from './backends.ts';

const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);
const DAY = 86_400_000;

for (const make of [jetstreamBackend, mongoBackend]) {
  describe(`named trade-limit charges: ${make.name.replace('Backend', '')}`, () => {
    let b: Backend;
    beforeAll(async () => {
      b = await make();
    });
    afterAll(async () => b?.stop());

    it('a charge made again counts once (two writers, one batch); a reset forgets the keys', async () => {
      const s = await b.open('tlc');
      const one = new TradeLimitsStore(await s.records('TRADE_LIMITS'));
      const two = new TradeLimitsStore(await s.records('TRADE_LIMITS'));
      await one.set({ instrument_code: 'GOLD' }, 1, 100, T0);
      await one.set({ instrument_code: 'GOLD', strategy_name: 'ewmac' }, 7, 50, T0);
      const named = (id: number) => ({ key: `P:${id}@${T0}`, at: T0 + 5 });
      // four writes of each of three charges, from two writers at once
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          (i % 2 === 0 ? one : two).charge('ewmac', 'GOLD', 2, T0 + 10, named(i % 3)),
        ),
      );
      const counts = async () =>
        (await two.list()).map((l) => [
          l.strategyName,
          l.tradesSinceLastReset,
          [...(l.chargeKeys ?? [])].sort(),
        ]);
      const keys = ['P:0@' + T0, 'P:1@' + T0, 'P:2@' + T0];
      expect(await counts()).toEqual([
        ['', 6, keys],
        ['ewmac', 6, keys],
      ]);
      // a batch (a restore's) with the charged ones, a new one twice, and another strategy's
      await one.chargeMany(
        [
          { strategyName: 'ewmac', instrumentCode: 'GOLD', qty: 2, charge: named(1) },
          { strategyName: 'ewmac', instrumentCode: 'GOLD', qty: 3, charge: named(5) },
          { strategyName: 'ewmac', instrumentCode: 'GOLD', qty: 3, charge: named(5) },
          { strategyName: 'carry', instrumentCode: 'GOLD', qty: 4, charge: named(6) },
        ],
        T0 + 20,
      );
      expect((await one.list()).map((l) => l.tradesSinceLastReset)).toEqual([13, 9]);
      // a manual reset forgets the keys: the same charge made after it counts in the new count
      await two.reset({ instrument_code: 'GOLD' }, T0 + 30);
      expect((await one.list())[0]).toMatchObject({ tradesSinceLastReset: 0, lastResetTime: T0 + 30 });
      expect((await one.list())[0]?.chargeKeys).toEqual([]);
      await one.charge('ewmac', 'GOLD', 2, T0 + 40, { key: named(1).key, at: T0 + 40 });
      // made before that reset (a restore's charge of an order that ended before it): not counted
      // there, counted in the strategy's limit (not reset; it held key 1 already)
      await one.charge('ewmac', 'GOLD', 9, T0 + 41, named(7));
      expect((await one.list()).map((l) => l.tradesSinceLastReset)).toEqual([2, 18]);
      // the lazy rolling reset forgets them too
      expect(await one.allowed('carry', 'GOLD', T0 + 30 + DAY + 1)).toBe(100);
      expect((await one.list())[0]?.chargeKeys).toEqual([]);
    });

    it('a limit stored before charges were named (no key list) reads and charges', async () => {
      const s = await b.open('tlo');
      const r = await s.records('TRADE_LIMITS');
      await r.put('instrument.GOLD.1', {
        instrumentCode: 'GOLD',
        strategyName: '',
        periodDays: 1,
        tradeLimit: 10,
        tradesSinceLastReset: 4,
        lastResetTime: T0,
      });
      const store = new TradeLimitsStore(r);
      expect(await store.allowed('ewmac', 'GOLD', T0 + 1)).toBe(6);
      await store.charge('ewmac', 'GOLD', 1, T0 + 2, { key: 'P:1@1', at: T0 + 2 });
      await store.charge('ewmac', 'GOLD', 1, T0 + 3, { key: 'P:1@1', at: T0 + 2 });
      await store.charge('ewmac', 'GOLD', 1, T0 + 4);
      // a restore's charge of an order that ended before the list started: taken as counted
      await store.charge('ewmac', 'GOLD', 1, T0 + 5, { key: 'P:0@0', at: T0 });
      expect(await store.list()).toEqual([
        expect.objectContaining({ tradesSinceLastReset: 6, chargeKeys: ['P:1@1'], chargeKeysSince: T0 + 2 }),
      ]);
    });
  });
}
