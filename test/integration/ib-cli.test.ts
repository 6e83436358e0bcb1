import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRunnable } from '../../src/cli/commands/config-runnable.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { FakeTws } from '../fixtures/fake-tws/fake-tws.ts';
import { fakeWithContracts } from '../broker/ib-harness.ts';
import { runSystack } from '../support/cli.ts';

function systack(args: string[], privateConfig: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'systack-ib-'));
  writeFileSync(join(cwd, 'private_config.yaml'), privateConfig);
  return runSystack(args, { cwd });
}

const ibConfig = (port: number) =>
  `broker: ib\nbroker_account: DU123456\noffsystem_backup_directory: /tmp\nib_port: ${port}\n`;

describe('systack ib check and config check with broker: ib', () => {
  let tws: FakeTws;
  let port: number;
  beforeAll(async () => {
    tws = fakeWithContracts({ netLiquidation: 123_456 });
    port = await tws.start();
  });
  afterAll(() => tws.stop());

  it('ib check prints the account, net liquidation, positions and open orders', async () => {
    const r = await systack(['ib', 'check', '--json'], ibConfig(port));
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      account: 'DU123456',
      net_liquidation: 123_456,
      currency: 'USD',
      positions: [],
      open_orders: [],
    });
    expect(r.code).toBe(0);
  }, 60_000);

  it('ib check on a wrong port fails with a clear message', async () => {
    const r = await systack(['ib', 'check', '--port', '1'], ibConfig(port));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /cannot connect to TWS \/ IB Gateway at 127\.0\.0\.1:1 within 4000 ms \(502: connect ECONNREFUSED/,
    );
  }, 60_000);

  it('config check names the key: an unreachable IB, or an unreachable MongoDB', async () => {
    const load = (text: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'systack-ib-'));
      writeFileSync(join(dir, 'private_config.yaml'), text);
      return loadConfig({ privateDir: dir });
    };
    await expect(checkRunnable(load(ibConfig(1)))).rejects.toThrow(
      /key 'ib_port': no TWS \/ IB Gateway reachable at ib_ipaddress:ib_port = 127\.0\.0\.1:1/,
    );
    await expect(checkRunnable(load('storage_backend: mongodb\nmongo_port: 1\n'), 500)).rejects.toThrow(
      /key 'mongo_host': no MongoDB reachable at 127\.0\.0\.1:1 /,
    );
    await expect(checkRunnable(load(ibConfig(port)))).resolves.toBeUndefined();
  });
});
