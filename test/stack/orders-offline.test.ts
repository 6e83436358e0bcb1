import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOrder, readPositionsAndLocks, readStacks } from '../../actors/stack/stack-reader.ts';
import { runSystack } from '../support/cli.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { drive, makeStack } from './helpers.ts';

let nats: TestNats;
const P = 'systack';
let done = 0;
let open = 0;

beforeAll(async () => {
  nats = await startTestNats();
  // A stack handler trades one family to completion and leaves one order on the stack (its
  // instrument locked), then stops: from here on no stack handler runs.
  const { handler, broker } = await makeStack(await nats.connect(), P, { config: { algoSizeLimit: 10 } });
  done = (
    await handler.createInstrumentOrder({
      strategyName: 'ewmac',
      instrumentCode: 'SOFR',
      trade: 2,
      orderType: 'market',
    })
  ).id;
  open = (
    await handler.createInstrumentOrder({
      strategyName: 'ewmac',
      instrumentCode: 'GOLD',
      trade: -1,
      orderType: 'market',
    })
  ).id;
  await handler.core.setLock('GOLD', 'manual');
  await drive(handler, broker);
  await handler.close();
});
afterAll(async () => {
  await nats?.stop();
});

async function systack(...args: string[]) {
  const cwd = mkdtempSync(join(tmpdir(), 'systack-cli-'));
  mkdirSync(join(cwd, 'private')); // a configured private directory must exist
  try {
    return await runSystack(['orders', ...args, '--nats-url', nats.url], {
      cwd,
      privateDir: join(cwd, 'private'),
    });
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

describe('orders readable with no stack handler running (issue 10 §7)', () => {
  it('reads the three stacks, one order with its history, and positions from JetStream and KV', async () => {
    const nc = await nats.connect('reader');
    const stacks = await readStacks(nc, P);
    expect(stacks.instrument.map((o) => [o.id, o.instrumentCode, o.state])).toEqual([
      [done, 'SOFR', 'completed'],
      [open, 'GOLD', 'new'],
    ]);
    expect(stacks.contract.map((o) => [o.instrumentCode, o.fill])).toEqual([['SOFR', 2]]);
    // A broker order's state is its machine's: filled (inactive once its family completed).
    expect(stacks.broker.map((o) => [o.instrumentCode, o.fill, o.state])).toEqual([['SOFR', 2, 'filled']]);

    const r = await readOrder(nc, P, 'instrument', done);
    expect(r.order?.state).toBe('completed');
    expect(r.history[0]?.state).toBe('new');
    expect(r.history.at(-1)?.state).toBe('completed');
    expect(r.history.map((h) => h.version)).toEqual(
      [...r.history.map((h) => h.version)].sort((a, b) => a - b),
    );
    expect(r.archived?.order).toMatchObject({ id: done, fill: 2 });
    expect(await readOrder(nc, P, 'broker', 999)).toEqual({
      level: 'broker',
      id: 999,
      order: undefined,
      history: [],
      archived: undefined,
    });

    expect(await readPositionsAndLocks(nc, P)).toEqual({
      contract: [{ instrumentCode: 'SOFR', contractDate: '202612', position: 2 }],
      strategy: [{ strategyName: 'ewmac', instrumentCode: 'SOFR', position: 2 }],
      fills: 1,
      locks: { GOLD: 'manual' },
      lock_reasons: { GOLD: 'manual: manual lock' },
    });
  });

  it('`systack orders view` reads the stores; an action says it needs the stack handler', async () => {
    const view = await systack('view', 'instrument', '--active', '--json');
    expect(view.code).toBe(0);
    expect(view.stderr).toContain('the stack handler is not running: read from JetStream');
    expect((JSON.parse(view.stdout) as Array<{ id: number }>).map((o) => o.id)).toEqual([open]);
    const create = await systack('create', 'ewmac', 'SOFR', '1');
    expect(create.code).toBe(1);
    expect(create.stderr).toContain(
      'instrument.create: the stack handler is not running; this action needs it',
    );
  }, 120_000);
});
