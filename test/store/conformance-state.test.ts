/**
 * The storage conformance suite for the revision-checked keyed records and the stores on them:
 * the stack state (order id counters, instrument locks, consumed requests), trade limits (counters
 * that two writers charge at once), roll status and strategy actor records — on JetStream and on
 * MongoDB (test/store/backends.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StackKv } from '../../actors/store/stack-kv.ts';
import { readStrategyActor, type StrategyActorRecord } from '../../actors/strategy-actor-records.ts';
import { KeyExistsError, RevisionConflictError } from '../../src/store/records.ts';
import { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import { type Backend, jetstreamBackend, mongoBackend } from './backends.ts';

const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);

for (const make of [jetstreamBackend, mongoBackend]) {
  describe(`storage conformance (stack state, trade limits, roll status, strategy actors): ${make.name.replace('Backend', '')}`, () => {
    let b: Backend;
    beforeAll(async () => {
      b = await make();
    });
    afterAll(async () => b?.stop());

    it('revision-checked records: create once, update at the revision read, a stale revision refused and nothing written', async () => {
      const r = await (await b.open('rv')).records('ROLL_STATUS');
      expect(await r.getVersioned('GOLD')).toBeUndefined();
      const r1 = await r.create('GOLD', { roll_state: 'No_Roll' });
      await expect(r.create('GOLD', { roll_state: 'Passive' })).rejects.toBeInstanceOf(KeyExistsError);
      const v1 = await r.getVersioned<{ roll_state: string }>('GOLD');
      expect(v1).toEqual({ value: { roll_state: 'No_Roll' }, revision: r1 });
      const r2 = await r.update('GOLD', { roll_state: 'Passive' }, r1);
      expect(r2).toBeGreaterThan(r1);
      // a second writer that read revision r1 loses, and its value is not written
      await expect(r.update('GOLD', { roll_state: 'Force' }, r1)).rejects.toBeInstanceOf(
        RevisionConflictError,
      );
      expect(await r.getVersioned('GOLD')).toEqual({ value: { roll_state: 'Passive' }, revision: r2 });
      // a plain put moves the revision on too
      await r.put('GOLD', { roll_state: 'Close' });
      await expect(r.update('GOLD', { roll_state: 'Force' }, r2)).rejects.toBeInstanceOf(
        RevisionConflictError,
      );
      expect(await r.get('GOLD')).toEqual({ roll_state: 'Close' });
    });

    it('stack state: order ids unique across two writers reserving at once; locks; consumed requests', async () => {
      const s = await b.open('st');
      const a = new StackKv(await s.records('STACK_STATE'));
      const c = new StackKv(await s.records('STACK_STATE'));
      const ids = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : c).nextId('instrument', 3)),
      );
      expect(new Set(ids).size).toBe(40);
      expect(Math.min(...ids)).toBe(1);
      // a restarted writer continues after every block reserved so far
      const restarted = new StackKv(await s.records('STACK_STATE'));
      expect(await restarted.nextId('instrument', 3)).toBeGreaterThan(Math.max(...ids));
      expect(await restarted.nextId('contract', 3)).toBe(1);

      await a.setLock('GOLD', 'break');
      await a.setLock('SP500.mini', 'manual');
      await c.setLock('GOLD', undefined);
      expect([...(await restarted.loadLocks())]).toEqual([['SP500.mini', 'manual']]);

      await a.recordConsumedRequest('ewmac/GOLD/run 7', 12);
      expect([...(await c.loadConsumedRequests())]).toEqual([['ewmac/GOLD/run 7', 12]]);
    });

    it('trade limits: concurrent charges by two writers all counted; set keeps the count; reset; delete', async () => {
      const s = await b.open('tl');
      const one = new TradeLimitsStore(await s.records('TRADE_LIMITS'));
      const two = new TradeLimitsStore(await s.records('TRADE_LIMITS'));
      await one.set({ instrument_code: 'GOLD' }, 1, 100, T0);
      await one.set({ instrument_code: 'GOLD', strategy_name: 'ewmac' }, 7, 50, T0);
      await Promise.all(
        Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? one : two).charge('ewmac', 'GOLD', 2, T0 + i)),
      );
      const counts = (await two.list()).map((l) => [l.strategyName, l.periodDays, l.tradesSinceLastReset]);
      expect(counts).toEqual([
        ['', 1, 24],
        ['ewmac', 7, 24],
      ]);
      expect(await one.allowed('ewmac', 'GOLD', T0 + 20)).toBe(26);
      expect(await one.allowed('carry', 'GOLD', T0 + 20)).toBe(76);
      await two.set({ instrument_code: 'GOLD' }, 1, 30, T0 + 30);
      expect((await one.list()).find((l) => l.periodDays === 1)).toMatchObject({
        tradeLimit: 30,
        tradesSinceLastReset: 24,
      });
      await one.reset({ instrument_code: 'GOLD', strategy_name: 'ewmac' }, T0 + 40);
      expect(await two.allowed('ewmac', 'GOLD', T0 + 41)).toBe(6);
      await two.delete({ instrument_code: 'GOLD' }, 1);
      expect(await one.allowed('ewmac', 'GOLD', T0 + 42)).toBe(50);
      await expect(one.delete({ instrument_code: 'GOLD' }, 1)).rejects.toThrow(/no trade limit/);
    });

    it('strategy actor records: read with the revision a save must match', async () => {
      const r = await (await b.open('sa')).records('STRATEGY_ACTORS');
      expect(await readStrategyActor(r, 'ewmac')).toBeUndefined();
      const record = {
        strategy_name: 'ewmac',
        state: 'idle',
        version: 1,
        owner: null,
        updated_at: T0,
        context: {},
        snapshot: { status: 'active' },
      } as unknown as StrategyActorRecord;
      const rev = await r.create('ewmac', record);
      expect(await readStrategyActor(r, 'ewmac')).toEqual({ record, revision: rev });
      await r.update('ewmac', { ...record, state: 'running' }, rev);
      await expect(r.update('ewmac', record, rev)).rejects.toBeInstanceOf(RevisionConflictError);
      expect((await readStrategyActor(r, 'ewmac'))?.record.state).toBe('running');
    });
  });
}
