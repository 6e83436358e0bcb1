import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYSYSTEMTRADE_DIR } from '../domain/system/fixtures.ts';
import { listOrderRequests } from '../../actors/stack/order-requests.ts';
import { methodOf } from '../../src/domain/system/backtest-objects.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { JetStreamStrategyStore } from '../../src/store/strategy-store.ts';
import { runSystack } from '../support/cli.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { writeStrategyPrivateConfig } from '../support/strategy-config.ts';

/** Run the CLI in a child process (async, so this process keeps answering NATS requests). */
const systack = (args: string[], privateDir: string, url: string) =>
  runSystack([...args, '--nats-url', url], { cwd: privateDir });

describe('systack capital / control / update on a real nats-server', () => {
  let t: TestNats;
  let nc: NatsConnection;
  let dir: string;
  const run = (...args: string[]) => systack(args, dir, t.url);

  beforeAll(async () => {
    t = await startTestNats();
    nc = await t.connect();
    dir = writeStrategyPrivateConfig({ CORN: 0.6, SOFR: 0.4 }, [
      `sample_data_dir: ${PYSYSTEMTRADE_DIR}`,
      'log_level: error',
    ]);
    // no roll-state service: every instrument is Passive
  });
  afterAll(async () => t.stop());

  it('capital: initialise, a held large change, accept, allocate', async () => {
    expect((await run('capital', 'initialise', '--account-value', '500000', '--json')).code).toBe(0);
    const held = await run('capital', 'update', '--account-value', '600000', '--json');
    expect(held.code).toBe(0);
    expect(JSON.parse(held.stdout)).toMatchObject({ outcome: 'held', pending: { pnl: 100_000 } });
    const accepted = await run('capital', 'accept', '--account-value', '600000', '--json');
    expect(JSON.parse(accepted.stdout)).toMatchObject({ total_capital: 600_000 });
    const alloc = await run('capital', 'allocate', '--json');
    expect(JSON.parse(alloc.stdout)).toEqual({ carry_trend: 600_000 });
    const bad = await run('capital', 'deposit', '-5');
    expect(bad.code).toBe(2);
  });

  it('control: a limit is stored; a bad override is refused with exit 2', async () => {
    // A limit names an instrument with a stored config (issue 10 §8).
    const unknown = await run('control', 'limits', 'set', '1', '--instrument', 'CORN', '--json');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown instrument 'CORN'/);
    await (await JetStreamPriceStore.open(nc, 'systack')).putInstrumentConfig({ instrumentCode: 'CORN' });
    const r = await run('control', 'limits', 'set', '1', '--instrument', 'CORN', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ instrument: { CORN: 1 } });
    // The next test starts from a price store without CORN's config.
    await (await new Kvm(nc).open('SYSTACK_INSTRUMENT_CONFIG')).delete('CORN');
    const bad = await run('control', 'overrides', 'set', '2', '--instrument', 'CORN');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/override/);
  }, 120_000);

  it('update system-backtests then strategy-orders queues limited orders for the stack handler', async () => {
    // by default the system reads the price store, which has no CORN yet
    const fromStore = await run('update', 'system-backtests', '--json');
    expect(fromStore.code).toBe(1);
    expect(JSON.parse(fromStore.stdout)[0]).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/instrument CORN has no instrument config in the price store/),
    });
    const sys = await run('update', 'system-backtests', '--csv-dir', PYSYSTEMTRADE_DIR, '--json');
    expect(sys.stderr).toBe('');
    expect(sys.code).toBe(0);
    const rows = JSON.parse(sys.stdout) as Array<{
      state: string;
      positions: Array<{ instrument_code: string }>;
    }>;
    expect(rows[0]!.state).toBe('finished');
    expect(rows[0]!.positions.map((p) => p.instrument_code)).toEqual(['CORN', 'SOFR']);
    const orders = await run('update', 'strategy-orders', '--strategy', 'carry_trend', '--json');
    expect(orders.code).toBe(0);
    // The orders wait in the durable request queue for the stack handler's next window.
    const corn = (await listOrderRequests(nc, 'systack')).find((o) => o.instrument_code === 'CORN');
    expect(corn).toMatchObject({ strategy_name: 'carry_trend', instrument_code: 'CORN', trade: -1 });
    expect((await run('update', 'strategy-orders', '--strategy', 'nope')).code).toBe(2);
    const shown = await run(
      'strategy',
      'diagnostics',
      '--strategy',
      'carry_trend',
      '--instrument',
      'SOFR',
      '--rows',
      '2',
    );
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('2023-08-31');
    expect(shown.stdout).toContain('notional_position');
  });

  it('strategy backtest browses the stored run by stage, method, instrument and rule', async () => {
    const d = await (await JetStreamStrategyStore.open(nc, 'systack')).getDiagnostics('carry_trend');
    const sofr = d!.instruments.SOFR!;
    // every stored series is some stage's method
    expect(Object.keys(sofr).filter((name) => methodOf(name) === undefined)).toEqual([]);
    const listed = await run('strategy', 'backtest', '--strategy', 'carry_trend', '--json');
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toContainEqual({
      stage: 'rules',
      method: 'get_raw_forecast',
      arguments: 'instrument, rule',
    });
    expect(listed.stderr).toContain('instruments: CORN, SOFR');
    const notional = await run(
      'strategy',
      'backtest',
      '--strategy',
      'carry_trend',
      '--stage',
      'portfolio',
      '--method',
      'get_notional_position',
      '--instrument',
      'SOFR',
      '--rows',
      '2',
      '--json',
    );
    const n = d!.dates.length;
    expect(JSON.parse(notional.stdout)).toEqual([
      { date: d!.dates[n - 2], notional_position: sofr.notional_position![n - 2] },
      { date: '2023-08-31', notional_position: sofr.notional_position![n - 1] },
    ]);
    const args = ['strategy', 'backtest', '--strategy', 'carry_trend', '--stage', 'rules'];
    const noRule = await run(...args, '--method', 'get_raw_forecast', '--instrument', 'SOFR');
    expect(noRule.code).toBe(2);
    const rules = Object.keys(sofr)
      .filter((k) => k.startsWith('raw_forecasts.'))
      .map((k) => k.slice('raw_forecasts.'.length));
    expect(noRule.stderr).toContain(`--rule one of ${rules.join(', ')}`);
    const rule = rules[0]!;
    const raw = await run(
      ...args,
      '--method',
      'get_raw_forecast',
      '--instrument',
      'SOFR',
      '--rule',
      rule,
      '--rows',
      '1',
      '--json',
    );
    expect(JSON.parse(raw.stdout)).toEqual([
      { date: '2023-08-31', [`raw_forecasts.${rule}`]: sofr[`raw_forecasts.${rule}`]![n - 1] },
    ]);
    // The real run's buffers plotted: three series, each with its last stored value.
    const buffers = await run(
      'strategy',
      'backtest',
      '--strategy',
      'carry_trend',
      '--stage',
      'portfolio',
      '--method',
      'get_buffers_for_position',
      '--instrument',
      'SOFR',
      '--output',
      'plot',
      '--width',
      '90',
    );
    expect(buffers.code).toBe(0);
    for (const name of ['lower_position', 'upper_position', 'buffer'])
      expect(buffers.stdout).toContain(`── ${name}: last ${sofr[name]![n - 1]!.toFixed(2)}`);
    const table = await run(...args, '--method', 'get_raw_forecast', '--instrument', 'SOFR', '--rule', rule);
    expect(table.stdout).toContain('2023-08-31');
    const badStage = await run('strategy', 'backtest', '--strategy', 'carry_trend', '--stage', 'nope');
    expect(badStage.code).toBe(2);
    expect(badStage.stderr).toContain('stage must be one of rawdata, rules, forecastScaleCap');
    const badMethod = await run(...args, '--method', 'get_nothing');
    expect(badMethod.stderr).toContain("rules has no method 'get_nothing' (one of: get_raw_forecast)");
    const badCode = await run(...args, '--method', 'get_raw_forecast', '--instrument', 'GOLD');
    expect(badCode.code).toBe(1);
    expect(badCode.stderr).toContain("carry_trend's last run has no GOLD (instruments: CORN, SOFR)");
    expect((await run('strategy', 'backtest', '--strategy', 'nope')).stderr).toContain(
      "unknown strategy 'nope'",
    );
  }, 120_000);
});
