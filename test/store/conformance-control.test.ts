/**
 * The storage conformance suite for process control (leases), the order journal (stack events,
 * fills exactly once, history) and reports, on JetStream (a real nats-server) and on MongoDB
 * (the wire-protocol server in test/fixtures, or a real mongod when MONGODB_URL is set).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportStore } from '../../actors/reports/report-store.ts';
import { OrderEventStore } from '../../actors/store/order-event-store.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { MongoOrderJournal } from '../../src/store/mongo/order-journal.ts';
import { MongoProcessStore } from '../../src/store/mongo/process-control.ts';
import { MongoReportStore } from '../../src/store/mongo/report-store.ts';
import { MongoSpreadSamples } from '../../src/store/mongo/spread-samples.ts';
import { JetStreamSpreadSamples } from '../../src/store/jetstream/spread-samples.ts';
import type { SpreadSample, SpreadSampleStore } from '../../src/store/spread-samples.ts';
import { type OrderJournal, OwnershipLostError } from '../../src/store/order-journal.ts';
import type { ProcessControlStore } from '../../src/store/process-control-store.ts';
import { jetstreamBackend, mongoBackend } from './backends.ts';

interface Report {
  name: string;
  text: string;
}
interface Stores {
  control: ProcessControlStore;
  orders: OrderJournal;
  spreads: SpreadSampleStore;
  reports: {
    put(r: Report): Promise<void>;
    get(n: string): Promise<Report | undefined>;
    names(): Promise<string[]>;
  };
}
interface StoresBackend {
  open(space: string): Promise<Stores>;
  stop(): Promise<void>;
}

async function jetstream(): Promise<StoresBackend> {
  const js = await jetstreamBackend();
  const opened: OrderEventStore[] = [];
  return {
    async open(space) {
      const { nc } = await js.open(space);
      const orders = await OrderEventStore.open(nc!, space);
      opened.push(orders);
      return {
        control: await ProcessStore.open(nc!, space),
        orders,
        spreads: await JetStreamSpreadSamples.open(nc!, space),
        reports: await ReportStore.open(nc!, space),
      };
    },
    async stop() {
      for (const o of opened) o.close();
      await js.stop();
    },
  };
}

async function mongodb(): Promise<StoresBackend> {
  const mongo = await mongoBackend();
  return {
    async open(space) {
      const { db } = await mongo.open(space);
      return {
        control: new MongoProcessStore(db!),
        orders: await MongoOrderJournal.open(db!, space),
        spreads: await MongoSpreadSamples.open(db!, space),
        reports: new MongoReportStore<Report>(db!),
      };
    },
    stop: () => mongo.stop(),
  };
}

const lease = (owner: string) => ({ owner, pid: 1, host: 'h', acquiredAt: 1, heartbeatAt: 2 });

for (const make of [jetstream, mongodb]) {
  describe(`storage conformance (control, orders, reports): ${make.name}`, () => {
    let b: StoresBackend;
    beforeAll(async () => {
      b = await make();
    });
    afterAll(async () => b?.stop());

    it('process control: one lease holder, revision-checked heartbeat and release, records, status, methods, clock', async () => {
      const { control } = await b.open('pc');
      const a = await control.acquireLease('run_stack_handler', lease('a'));
      expect(a.ok).toBe(true);
      const second = await control.acquireLease('run_stack_handler', lease('b'));
      expect(second).toMatchObject({ ok: false, holder: lease('a') });
      if (!a.ok) throw new Error('unreachable');
      const r2 = await control.heartbeat('run_stack_handler', lease('a'), a.revision);
      expect(r2).toBeGreaterThan(a.revision);
      expect(await control.heartbeat('run_stack_handler', lease('a'), a.revision)).toBeUndefined();
      expect(await control.releaseLease('run_stack_handler', a.revision)).toBe(false);
      expect((await control.getLease('run_stack_handler'))?.revision).toBe(r2);
      expect([...(await control.listLeases()).keys()]).toEqual(['run_stack_handler']);
      expect(await control.releaseLease('run_stack_handler', r2!)).toBe(true);
      expect(await control.getLease('run_stack_handler')).toBeUndefined();
      expect((await control.acquireLease('run_stack_handler', lease('b'))).ok).toBe(true);

      expect((await control.getRecord('run_reports')).recentlyCrashed).toBe(false);
      await control.updateRecord('run_reports', { lastStart: 10, recentlyCrashed: true });
      const rec = await control.updateRecord('run_reports', { lastEnd: 20 });
      expect(rec).toMatchObject({ lastStart: 10, lastEnd: 20, recentlyCrashed: true });
      expect(await control.getRecord('run_reports')).toMatchObject({ lastStart: 10, lastEnd: 20 });

      expect(await control.getStatus('run_reports')).toBe('GO');
      await control.setStatus('run_reports', 'STOP', 5);
      expect(await control.getStatus('run_reports')).toBe('STOP');
      const m = { executions: 2, lastRun: 1, lastEnd: 2, lastHeartbeat: 3, running: false };
      await control.putMethods('run_reports', { a: m });
      expect(await control.getMethods('run_reports')).toEqual({ a: m });
      expect(await control.getMethods('other')).toEqual({});
      expect(await control.getClock()).toBeUndefined();
      await control.putClock({ anchorSim: 1, anchorReal: 2, speed: 60 });
      expect(await control.getClock()).toEqual({ anchorSim: 1, anchorReal: 2, speed: 60 });
      expect(await control.keys()).toEqual([
        'clock',
        'lease.run_stack_handler',
        'methods.run_reports',
        'record.run_reports',
        'status.run_reports',
      ]);
    });

    it('order journal: one writer per order, idempotent appends, fills once per execution, history, purge', async () => {
      const { orders } = await b.open('oj');
      const s1 = orders.orderSubject('instrument', 1);
      const s2 = orders.orderSubject('instrument', 2);
      const p1 = await orders.appendOrder(s1, { state: 'a' }, 'i1-1', 0);
      const p2 = await orders.appendOrder(s2, { state: 'x' }, 'i2-1', 0);
      const p3 = await orders.appendOrder(s1, { state: 'b' }, 'i1-2', p1);
      expect(p3).toBeGreaterThan(p2);
      // a second writer that read the old position is refused; nothing is written
      await expect(orders.appendOrder(s1, { state: 'stale' }, 'i1-stale', p1)).rejects.toBeInstanceOf(
        OwnershipLostError,
      );
      // the same message again (a retry) is not written twice
      expect(await orders.appendOrder(s1, { state: 'b' }, 'i1-2', p1)).toBe(p3);
      expect((await orders.loadStack<{ state: string }>()).map((e) => [e.subject, e.data.state])).toEqual([
        [s2, 'x'],
        [s1, 'b'],
      ]);
      expect((await orders.loadStack()).find((e) => e.subject === s1)?.seq).toBe(p3);

      const f1 = await orders.appendFill('GOLD', 'e1', { execId: 'e1', qty: 1 });
      expect(f1.duplicate).toBe(false);
      expect((await orders.appendFill('GOLD', 'e1', { execId: 'e1', qty: 1 })).duplicate).toBe(true);
      await orders.appendFill('SOFR', 'e2', { execId: 'e2', qty: -2 });
      expect((await orders.loadFills<{ qty: number }>()).map((e) => e.data.qty)).toEqual([1, -2]);

      await orders.appendHistory('instrument', 2, { id: 2 });
      await orders.appendHistory('instrument', 2, { id: 2 });
      expect((await orders.loadHistory()).map((e) => e.data)).toEqual([{ id: 2 }]);
      await orders.purgeOrder(s2);
      expect((await orders.loadStack()).map((e) => e.subject)).toEqual([s1]);
      expect(await orders.appendOrder(s2, { state: 'new day' }, 'i2-new', 0)).toBeGreaterThan(p3);
      expect((await orders.loadOrderEvents<{ state: string }>(s1)).map((e) => e.data.state)).toEqual([
        'a',
        'b',
      ]);
      // every order event in the order written, across subjects (purged subjects gone)
      expect(
        (await orders.loadStackEvents<{ state: string }>()).map((e) => [e.subject, e.data.state]),
      ).toEqual([
        [s1, 'a'],
        [s1, 'b'],
        [s2, 'new day'],
      ]);
    });

    it('fills: a late commission joined; a correction replaces the values and clears it until its own commission', async () => {
      const { orders } = await b.open('fc');
      await orders.appendFill('GOLD', 'e1', { execId: 'e1', qty: 2, price: 10, time: 1 });
      await orders.appendFill('GOLD', 'e2', { execId: 'e2', qty: 1, price: 11, time: 2 });
      await orders.appendCommission('GOLD', 'e1', 1.5, 'USD');
      await orders.appendCommission('GOLD', 'e1', 1.5, 'USD');
      const corr = { correctionOf: 'e2', correctedBy: 'e2.01', qty: 3, price: 12, time: 3 };
      await orders.appendCorrection('GOLD', corr);
      await orders.appendCorrection('GOLD', corr);
      const before = (await orders.loadFills<Record<string, unknown>>()).map((e) => e.data);
      expect(before).toEqual([
        { execId: 'e1', qty: 2, price: 10, time: 1, commission: 1.5, commissionCurrency: 'USD' },
        { execId: 'e2', qty: 3, price: 12, time: 3, correctedBy: 'e2.01' },
      ]);
      await orders.appendCommission('GOLD', 'e2', 0.7, 'USD', 'e2.01');
      expect((await orders.loadFills<Record<string, unknown>>()).map((e) => e.data)[1]).toEqual({
        execId: 'e2',
        qty: 3,
        price: 12,
        time: 3,
        correctedBy: 'e2.01',
        commission: 0.7,
        commissionCurrency: 'USD',
      });
    });

    it('spread samples: appended in order, read per instrument or all, none yet is []', async () => {
      const { spreads } = await b.open('sp');
      expect(await spreads.read()).toEqual([]);
      expect(await spreads.read('GOLD')).toEqual([]);
      const sample = (instrument_code: string, bid: number, time: number): SpreadSample => ({
        instrument_code,
        contract_date: '20261200',
        bid,
        ask: bid + 0.5,
        spread: 0.5,
        time,
      });
      await spreads.append(sample('GOLD', 100, 1));
      await spreads.append(sample('SOFR', 96, 2));
      await spreads.append(sample('GOLD', 101, 3));
      expect((await spreads.read('GOLD')).map((s) => [s.bid, s.time])).toEqual([
        [100, 1],
        [101, 3],
      ]);
      expect((await spreads.read()).map((s) => s.instrument_code)).toEqual(['GOLD', 'SOFR', 'GOLD']);
      expect(await spreads.read('BUND')).toEqual([]);
      expect((await spreads.read('SOFR'))[0]).toEqual(sample('SOFR', 96, 2));
    });

    it('reports: latest per name, names sorted', async () => {
      const { reports } = await b.open('rp');
      await reports.put({ name: 'status', text: 'old' });
      await reports.put({ name: 'pnl', text: 'p' });
      await reports.put({ name: 'status', text: 'new' });
      expect(await reports.get('status')).toEqual({ name: 'status', text: 'new' });
      expect(await reports.get('none')).toBeUndefined();
      expect(await reports.names()).toEqual(['pnl', 'status']);
    });
  });
}
