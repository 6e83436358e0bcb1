import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerClientIds } from '../../src/store/broker-client-ids.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

describe('BrokerClientIds (KV)', () => {
  let nats: TestNats;
  beforeAll(async () => {
    nats = await startTestNats();
  });
  afterAll(() => nats.stop());

  it('gives each process its own id, the same one when asked again; releases and clears the unused', async () => {
    const ids = await BrokerClientIds.open(await nats.connect(), 'ibtest');
    const holder = (process: string, pid: number) => ({ process, pid, host: 'h1', allocated_at: 1 });
    const [a, b, c] = await Promise.all([
      ids.allocate(holder('run_stack_handler', 11)),
      ids.allocate(holder('run_capital_update', 12)),
      ids.allocate(holder('run_daily_prices_updates', 13)),
    ]);
    expect(new Set([a, b, c]).size).toBe(3);
    expect([a, b, c].sort()).toEqual([1, 2, 3]);
    expect(await ids.allocate(holder('run_stack_handler', 11))).toBe(a);
    expect(await ids.release(b)).toBe(true);
    expect(await ids.release(b)).toBe(false);
    expect(await ids.allocate(holder('run_reports', 14))).toBe(b);
    const cleared = await ids.clearUnused('h1', (pid) => pid === 11);
    expect(cleared.map((r) => r.process).sort()).toEqual(['run_daily_prices_updates', 'run_reports']);
    expect((await ids.list()).map((r) => [r.client_id, r.process])).toEqual([[a, 'run_stack_handler']]);
  });
});
