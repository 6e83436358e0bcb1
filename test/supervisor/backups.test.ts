import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Objm } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupToCsv } from '../../actors/backup/csv-backup.ts';
import { applyRetention, withoutSecrets } from '../../actors/process-methods/backups.ts';
import { pendingOrderRequests, requestInstrumentOrder } from '../../actors/stack/order-requests.ts';
import { readPositions } from '../../actors/stack/read-model.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { kvSimBrokerStore } from '../../src/broker/sim/kv-store.ts';
import { callService } from '../../src/bus/service.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import { JetStreamCapitalStore } from '../../src/store/capital-store.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { RestoreError, restoreSnapshot } from '../../src/store/jetstream/restore.ts';
import { systemDigest, writeSnapshot } from '../../src/store/jetstream/snapshot.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { stackMethodsHarness } from '../support/stack-methods.ts';

const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);
const PREFIX = 'bk';

/** run_stack_handler's methods on a simulated broker kept in the system's own KV bucket. */
async function tradingDay(nc: NatsConnection) {
  // The order services take orders for stored instruments and configured strategies only.
  await (await JetStreamPriceStore.open(nc, PREFIX)).putInstrumentConfig({ instrumentCode: 'GOLD' });
  const base = loadConfig().system;
  const system = { ...base, strategy_list: { ...base.strategy_list, ewmac: base.strategy_list.example! } };
  return stackMethodsHarness(nc, PREFIX, {
    clock: new SimulatedClock(T0),
    broker: { store: await kvSimBrokerStore(nc, 'BK_SIMBROKER') },
    system,
  });
}

let a: TestNats;
let b: TestNats;
let ncA: NatsConnection;
let ncB: NatsConnection;
const dir = mkdtempSync(join(tmpdir(), 'systack-backup-'));

beforeAll(async () => {
  [a, b] = await Promise.all([startTestNats(), startTestNats()]);
  ncA = await a.connect();
  ncB = await b.connect();
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
});

describe('backup and restore of a whole system', () => {
  it('restores onto an empty store record for record, and the restored system trades on', async () => {
    // The source: a traded family, a queued request the stack handler has not taken yet, capital,
    // an object store with binary bytes.
    const day = await tradingDay(ncA);
    await day.methods.check_external_position_break!(day.ctx('check_external_position_break'));
    await callService(ncA, 'bk.orders.instrument.create', {
      strategy_name: 'ewmac',
      instrument_code: 'GOLD',
      trade: 2,
      order_type: 'market',
    });
    await day.pass();
    await day.methods.safe_stack_removal!(day.ctx('safe_stack_removal'));
    await requestInstrumentOrder(
      ncA,
      PREFIX,
      { strategy_name: 'ewmac', instrument_code: 'GOLD', trade: 3 },
      'req-1',
    );
    const capital = await JetStreamCapitalStore.open(ncA, PREFIX);
    await capital.appendTotal({
      timestamp: T0,
      kind: 'update',
      broker_account_value: 1e6,
      total_capital: 1e6,
      max_capital: 1e6,
      accumulated_pnl: 0,
    } as Parameters<typeof capital.appendTotal>[0]);
    const bytes = Uint8Array.from([0, 255, 1, 128, 10, 13]);
    await (await new Objm(ncA).create('BK_PRICES')).putBlob({ name: 'raw.bin' }, bytes);

    const control = await ProcessStore.open(ncA, PREFIX);
    await control.setStatus('run_systems', 'PAUSE', T0);
    await control.updateRecord('run_stack_handler', {
      lastStart: T0,
      lastEnd: T0 + 1,
      lastOutcome: 'finished',
    });
    const before = await systemDigest(ncA, PREFIX);
    const manifest = await writeSnapshot(ncA, PREFIX, join(dir, 'jetstream'), T0);
    expect(manifest.streams.map((s) => s.name)).toEqual(before.map((s) => s.name));
    expect(manifest.streams.map((s) => s.digest)).toEqual(before.map((s) => s.digest));
    expect(before.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'BK_FILLS',
        'BK_ORDER_REQUESTS',
        'KV_BK_CAPITAL',
        'KV_BK_PROCESS_CONTROL',
        'KV_BK_SIMBROKER',
        'OBJ_BK_PRICES',
      ]),
    );
    // Taking the snapshot leaves the work queue as it was.
    expect(await pendingOrderRequests(ncA, PREFIX)).toBe(1);
    // Private: files 600, folders 700.
    const streamsDir = join(dir, 'jetstream', 'streams');
    expect(statSync(streamsDir).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(streamsDir)) expect(statSync(join(streamsDir, f)).mode & 0o777).toBe(0o600);

    const restored = await restoreSnapshot(ncB, join(dir, 'jetstream'));
    expect(restored.streams.every((s) => s.matches)).toBe(true);
    expect(await systemDigest(ncB, PREFIX)).toEqual(before);
    const restoredControl = await ProcessStore.open(ncB, PREFIX);
    expect(await restoredControl.getStatus('run_systems')).toBe('PAUSE');
    expect(await restoredControl.getRecord('run_stack_handler')).toEqual(
      await control.getRecord('run_stack_handler'),
    );
    const blob = await (await new Objm(ncB).open('BK_PRICES')).getBlob('raw.bin');
    expect(Buffer.from(blob ?? [])).toEqual(Buffer.from(bytes));
    const positionsA = await readPositions(ncA, PREFIX);
    expect(await readPositions(ncB, PREFIX)).toEqual(positionsA);
    expect(positionsA.contract.map((p) => p.position)).toEqual([2]);

    // The restored system trades on: the queued request is executed once, on top of the
    // restored position, and the broker (restored from its own bucket) agrees with the fills.
    const next = await tradingDay(ncB);
    // The handler takes queued requests as they arrive; the request's best-execution algo works
    // a passive limit until its deadline on the simulated clock, then trades at market.
    for (let i = 0; i < 40; i++) {
      await next.pass();
      next.clock.advance(60_000);
      const now = await readPositions(ncB, PREFIX);
      if ((await pendingOrderRequests(ncB, PREFIX)) === 0 && now.contract[0]?.position === 5) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await next.pass();
    const after = await readPositions(ncB, PREFIX);
    expect(after.contract.map((p) => p.position)).toEqual([5]);
    expect((await next.broker.positions()).map((p) => p.position)).toEqual([5]);
    expect(await pendingOrderRequests(ncB, PREFIX)).toBe(0);
    await next.methods.safe_stack_removal!(next.ctx('safe_stack_removal'));
  });

  it('refuses to restore over data, and writes nothing', async () => {
    const before = await systemDigest(ncB, PREFIX);
    await expect(restoreSnapshot(ncB, join(dir, 'jetstream'))).rejects.toThrow(RestoreError);
    await expect(restoreSnapshot(ncB, join(dir, 'jetstream'))).rejects.toThrow(/already holds data: BK_/);
    expect(await systemDigest(ncB, PREFIX)).toEqual(before);
  });

  it('refuses a folder that is not a backup, and a backup whose files were cut short', async () => {
    await expect(restoreSnapshot(ncB, tmpdir())).rejects.toThrow(/no manifest.json/);
    const cut = join(dir, 'cut');
    mkdirSync(join(cut, 'streams'), { recursive: true });
    const m = JSON.parse(readFileSync(join(dir, 'jetstream', 'manifest.json'), 'utf8')) as {
      streams: Array<{ name: string }>;
    };
    m.streams = m.streams.filter((s) => s.name === 'BK_FILLS');
    writeFileSync(join(cut, 'manifest.json'), JSON.stringify(m));
    writeFileSync(
      join(cut, 'streams', 'BK_FILLS.config.json'),
      readFileSync(join(dir, 'jetstream', 'streams', 'BK_FILLS.config.json')),
    );
    writeFileSync(join(cut, 'streams', 'BK_FILLS.jsonl'), '');
    await expect(restoreSnapshot(ncB, cut, { replace: true })).rejects.toThrow(
      /holds 0 messages, the manifest says/,
    );
  });

  it('writes the CSV backup: prices layout, positions and fills', async () => {
    const counts = await backupToCsv(ncA, PREFIX, join(dir, 'csv'), ['ewmac']);
    expect(counts.contract_positions).toBe(1);
    expect(counts.fills).toBeGreaterThan(0);
    const positions = readFileSync(join(dir, 'csv', 'positions', 'contract_positions.csv'), 'utf8');
    expect(positions.trim().split('\n')).toEqual([
      'instrumentCode,contractDate,position',
      expect.stringMatching(/^GOLD,\d{6},2$/),
    ]);
    const capitalCsv = readFileSync(join(dir, 'csv', 'capital', 'total_capital.csv'), 'utf8');
    expect(capitalCsv).toContain('1000000');
    expect(statSync(join(dir, 'csv', 'orders', 'fills.csv')).mode & 0o777).toBe(0o600);
  });
});

describe('configuration in a backup', () => {
  it('has every secret key removed and every secret value scrubbed', () => {
    const text = [
      'broker_account: U1234567',
      'email_pwd: hunter2hunter2',
      'nats_url: nats://admin:hunter2hunter2@10.0.0.5:4222',
      'ib_port: 4002',
      '',
    ].join('\n');
    const out = withoutSecrets(text, ['U1234567', 'hunter2hunter2']);
    expect(out.removed).toEqual(['broker_account', 'email_pwd']);
    expect(out.text).not.toContain('U1234567');
    expect(out.text).not.toContain('hunter2hunter2');
    expect(out.text).toContain('ib_port: 4002');
    expect(out.text).toContain('nats://admin:[redacted]@10.0.0.5:4222');
  });
});

describe('backup retention', () => {
  it('deletes dated folders older than the retention, keeps the rest and anything not dated', async () => {
    const base = mkdtempSync(join(tmpdir(), 'systack-retention-'));
    for (const d of ['2026-11-01', '2026-11-14', '2026-11-15', '2026-11-20', 'notes'])
      mkdirSync(join(base, d));
    // Today is 2026-11-20: five days back keeps 2026-11-15 onwards.
    expect(await applyRetention(base, T0, 5)).toEqual(['2026-11-01', '2026-11-14']);
    expect(readdirSync(base).sort()).toEqual(['2026-11-15', '2026-11-20', 'notes']);
  });
});
