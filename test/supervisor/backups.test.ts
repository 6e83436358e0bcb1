import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Objm } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotStream } from '../../actors/process-methods/backups.ts';
import { pendingOrderRequests, requestInstrumentOrder } from '../../actors/stack/order-requests.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

describe('backup_files stream snapshots', () => {
  let t: TestNats;
  let nc: NatsConnection;
  const dir = mkdtempSync(join(tmpdir(), 'systack-backup-'));
  beforeAll(async () => {
    t = await startTestNats();
    nc = await t.connect();
  });
  afterAll(async () => t.stop());

  it('copies a work-queue stream without taking its messages off the queue', async () => {
    await requestInstrumentOrder(nc, 'bk', { strategy_name: 's', instrument_code: 'GOLD', trade: 1 }, 'r1');
    await requestInstrumentOrder(nc, 'bk', { strategy_name: 's', instrument_code: 'SOFR', trade: -2 }, 'r2');
    const file = join(dir, 'requests.jsonl');
    expect(await snapshotStream(nc, 'BK_ORDER_REQUESTS', file)).toBe(2);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { data: string });
    expect(lines.map((l) => (JSON.parse(l.data) as { instrument_code: string }).instrument_code)).toEqual([
      'GOLD',
      'SOFR',
    ]);
    expect(await pendingOrderRequests(nc, 'bk')).toBe(2);
  });

  it('keeps object-store chunks as base64, byte for byte', async () => {
    const os = await new Objm(nc).create('BK_PRICES');
    const bytes = Uint8Array.from([0, 255, 1, 128, 10, 13]);
    await os.putBlob({ name: 'GOLD.adjusted' }, bytes);
    const file = join(dir, 'obj.jsonl');
    await snapshotStream(nc, 'OBJ_BK_PRICES', file);
    const chunks = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { data_b64?: string })
      .filter((l) => l.data_b64 !== undefined && Buffer.from(l.data_b64, 'base64').length === bytes.length);
    expect(Buffer.from(chunks[0]!.data_b64!, 'base64')).toEqual(Buffer.from(bytes));
  });
});
