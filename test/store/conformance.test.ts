/**
 * One storage conformance suite for every backend of the capital, controls and strategy ports,
 * and of the keyed records (`records.ts`) with the stores on them (emails, broker client ids):
 * JetStream (a real nats-server) and MongoDB (the wire-protocol server in test/fixtures, or a
 * real mongod when MONGODB_URL is set), both through their real clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CapitalStore, JetStreamCapitalStore } from '../../src/store/capital-store.ts';
import { JetStreamControlsStore } from '../../src/store/controls-store.ts';
import { simBrokerStoreOn } from '../../src/broker/sim/kv-store.ts';
import type { SimOrderRecord } from '../../src/broker/sim/state.ts';
import { BrokerClientIds } from '../../src/store/broker-client-ids.ts';
import { EmailStore } from '../../src/store/email-store.ts';
import { KeyExistsError } from '../../src/store/records.ts';
import { MongoCapitalStore, MongoControlsStore, MongoStrategyStore } from '../../src/store/mongo/stores.ts';
import { JetStreamStrategyStore } from '../../src/store/strategy-store.ts';
import { type Backend, capitalRow, jetstreamBackend, mongoBackend, type Space } from './backends.ts';

/** The capital, controls and strategy stores of a space, and its keyed records. */
async function storesOf(s: Space) {
  if (s.db)
    return {
      capital: new MongoCapitalStore(s.db),
      controls: new MongoControlsStore(s.db),
      strategy: new MongoStrategyStore(s.db),
      records: s.records,
    };
  const nc = s.nc!;
  return {
    capital: await JetStreamCapitalStore.open(nc, s.space),
    controls: await JetStreamControlsStore.open(nc, s.space),
    strategy: await JetStreamStrategyStore.open(nc, s.space),
    records: s.records,
  };
}

const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);
const row = capitalRow;

for (const make of [jetstreamBackend, mongoBackend]) {
  describe(`storage conformance: ${make.name.replace('Backend', '')}`, () => {
    let b: Backend;
    beforeAll(async () => {
      b = await make();
    });
    afterAll(async () => b?.stop());
    const open = async (space: string) => storesOf(await b.open(space));

    it('capital: history in time order, duplicates refused, delete since, pending, strategy values, ledgers', async () => {
      const { capital } = await open('cap');
      await capital.appendTotal(row(T0 + 2000, 102));
      await capital.appendTotal(row(T0, 100));
      await capital.appendTotal(row(T0 + 1000, 101));
      await expect(capital.appendTotal(row(T0, 999))).rejects.toThrow();
      expect((await capital.totalHistory()).map((r) => r.total_capital)).toEqual([100, 101, 102]);
      expect(await capital.deleteTotalSince(T0 + 1000)).toBe(2);
      expect((await capital.totalHistory()).map((r) => r.total_capital)).toEqual([100]);

      expect(await capital.getPending()).toBeUndefined();
      const pending = { proposed: row(T0 + 5, 150), reason: 'change over 10%' } as unknown as Parameters<
        CapitalStore['setPending']
      >[0];
      await capital.setPending(pending);
      expect(await capital.getPending()).toEqual(pending);
      await capital.setPending(undefined);
      expect(await capital.getPending()).toBeUndefined();

      await capital.appendStrategyCapital({ strategy_name: 'b', timestamp: T0 + 1, capital: 2 });
      await capital.appendStrategyCapital({ strategy_name: 'a', timestamp: T0 + 2, capital: 3 });
      await capital.appendStrategyCapital({ strategy_name: 'a', timestamp: T0 + 1, capital: 1 });
      expect((await capital.strategyCapitalHistory('a')).map((v) => v.capital)).toEqual([1, 3]);
      expect((await capital.strategyCapitalHistory('b')).map((v) => v.capital)).toEqual([2]);

      const entry = { timestamp: T0, amount: 5 } as unknown as Parameters<CapitalStore['appendLedger']>[1];
      await capital.appendLedger('a', entry);
      await expect(capital.appendLedger('a', entry)).rejects.toThrow();
      expect(await capital.ledger('a')).toEqual([entry]);
      expect(await capital.ledger('b')).toEqual([]);
    });

    it('controls: limits and overrides by scope, deletes say whether anything was there, bad names refused', async () => {
      const { controls } = await open('ctl');
      await controls.setPositionLimit('instrument', { instrument_code: 'GOLD' }, 10);
      await controls.setPositionLimit(
        'strategy_instrument',
        { strategy_name: 'ewmac', instrument_code: 'GOLD' },
        4,
      );
      await controls.setPositionLimit('instrument', { instrument_code: 'GOLD' }, 12);
      expect(await controls.positionLimits()).toEqual({
        instrument: { GOLD: 12 },
        strategy_instrument: { 'ewmac/GOLD': 4 },
      });
      expect(await controls.deletePositionLimit('instrument', { instrument_code: 'GOLD' })).toBe(true);
      expect(await controls.deletePositionLimit('instrument', { instrument_code: 'GOLD' })).toBe(false);
      await controls.setOverride('strategy', { strategy_name: 'ewmac' }, { type: 'reduce_only' });
      await controls.setOverride('instrument', { instrument_code: 'SOFR' }, { type: 'float', value: 0.5 });
      expect(await controls.overrides()).toEqual({
        strategy: { ewmac: { type: 'reduce_only' } },
        instrument: { SOFR: { type: 'float', value: 0.5 } },
      });
      for (const bad of ['__proto__', 'constructor', 'a.b', ''])
        await expect(
          controls.setOverride('instrument', { instrument_code: bad }, { type: 'no_trading' }),
        ).rejects.toThrow();
      expect(Object.keys((await controls.overrides()).instrument ?? {})).toEqual(['SOFR']);
    });

    it('strategy: optimal positions per strategy and diagnostics round-trip', async () => {
      const { strategy } = await open('str');
      const p = (instrument_code: string, lower: number) => ({
        strategy_name: 'ewmac',
        instrument_code,
        lower_position: lower,
        upper_position: lower + 1,
        reference_price: 100.25,
        reference_contract: '20261200',
        reference_datetime: '2026-11-20T14:00:00.000Z',
        price_date: '2026-11-20',
      });
      await strategy.putOptimalPositions('ewmac', [p('SOFR', -2), p('GOLD', 1.5)]);
      await strategy.putOptimalPositions('ewmac', [p('GOLD', 2.5)]);
      expect(
        (await strategy.getOptimalPositions('ewmac')).map((x) => [x.instrument_code, x.lower_position]),
      ).toEqual([
        ['GOLD', 2.5],
        ['SOFR', -2],
      ]);
      expect(await strategy.getOptimalPositions('other')).toEqual([]);
      expect(await strategy.getDiagnostics('ewmac')).toBeUndefined();
      const d = {
        strategy_name: 'ewmac',
        created: '2026-11-20T14:00:00.000Z',
        capital: 1e6,
        dates: ['2026-11-19', '2026-11-20'],
        instruments: { GOLD: { vol: [0.5, null] } },
        skipped: [{ instrument_code: 'V2X', reason: 'no prices' }],
      };
      await strategy.putDiagnostics('ewmac', d);
      expect(await strategy.getDiagnostics('ewmac')).toEqual(d);
    });

    it('keyed records: create refuses a key that exists, put, get, list by prefix in key order, delete', async () => {
      const r = await (await open('rec')).records('EMAILS');
      await r.create('a.2', { n: 2 });
      await expect(r.create('a.2', { n: 3 })).rejects.toThrow(KeyExistsError);
      await r.put('a.1', { n: 1 });
      await r.put('b.1', { n: 9 });
      expect(await r.get('a.2')).toEqual({ n: 2 });
      expect(await r.get('a.3')).toBeUndefined();
      expect((await r.list<{ n: number }>('a.')).map((e) => [e.key, e.value.n])).toEqual([
        ['a.1', 1],
        ['a.2', 2],
      ]);
      await r.delete('a.1');
      expect((await r.list()).map((e) => e.key)).toEqual(['a.2', 'b.1']);
      await r.create('a.1', { n: 4 });
      expect(await r.get('a.1')).toEqual({ n: 4 });
      await expect(r.list('a')).rejects.toThrow(/ends with a dot/);
    });

    it('emails, broker client ids and the simulated broker on the keyed records', async () => {
      const s = await open('mail');
      const emails = new EmailStore(await s.records('EMAILS'));
      const mail = (id: string, createdAt: number) => ({
        id,
        createdAt,
        subject: `s${id}`,
        text: 't',
        reason: 'duplicate subject within 24 h' as const,
      });
      await emails.store(mail('b', T0 + 1));
      await emails.store(mail('a', T0 + 2));
      expect((await emails.stored()).map((e) => e.id)).toEqual(['b', 'a']);
      await emails.deleteStored('b');
      expect((await emails.stored()).map((e) => e.id)).toEqual(['a']);
      await emails.queue({ ...mail('o', T0), attempts: 1, lastError: 'down', lastAttempt: T0 });
      expect((await emails.outbox()).map((e) => e.attempts)).toEqual([1]);
      await emails.dequeue('o');
      expect(await emails.outbox()).toEqual([]);
      expect(await emails.lastSent('hello')).toBeUndefined();
      await emails.recordSent('hello', T0);
      expect(await emails.lastSent('hello')).toBe(T0);

      const ids = new BrokerClientIds(await s.records('broker_client_ids'));
      const who = (process: string, pid: number) => ({ process, pid, host: 'h', allocated_at: T0 });
      expect(await ids.allocate(who('run_stack_handler', 10))).toBe(1);
      expect(await ids.allocate(who('run_capital_update', 11))).toBe(2);
      expect(await ids.allocate(who('run_stack_handler', 10))).toBe(1);
      expect(await ids.release(1)).toBe(true);
      expect(await ids.allocate(who('run_reports', 12))).toBe(1);
      const cleared = await ids.clearUnused('h', (pid) => pid === 12);
      expect(cleared.map((r) => r.client_id)).toEqual([2]);
      expect((await ids.list()).map((r) => [r.client_id, r.process])).toEqual([[1, 'run_reports']]);

      const sim = simBrokerStoreOn(await s.records('SIMBROKER'));
      const order = (orderRef: string, filled: number) =>
        ({
          orderRef,
          tempId: 1,
          permId: 2,
          legs: [],
          orderType: 'market',
          status: 'filled',
          filled: [filled],
          fills: [],
          submittedAt: T0,
          pending: [],
        }) as unknown as SimOrderRecord;
      await sim.saveOrder(order('a/1', 0));
      await sim.saveOrder(order('b', 2));
      await sim.saveOrder(order('a/1', 3));
      expect((await sim.loadOrders()).map((o) => [o.orderRef, o.filled[0]])).toEqual([
        ['a/1', 3],
        ['b', 2],
      ]);
    });
  });
}
