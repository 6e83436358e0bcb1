/**
 * interactive_diagnostics' instrument / contract configuration views and the backtest objects'
 * plot / html / csv outputs (issue 14 §6), on a real nats-server holding the bundled sample data
 * (its csvconfig: GOLD's real figures) and a backtest record of GOLD's real adjusted prices:
 * through the CLI (values, files, bad input → exit code, nothing changed) and through the menu
 * on a pseudo-terminal (util-linux `script`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonRepr } from '../../src/domain/prices/python-repr.ts';
import { importPrices } from '../../src/store/csv/import.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { type DiagnosticsRecord, JetStreamStrategyStore } from '../../src/store/strategy-store.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { DOWN, ENTER, openMenu, UP } from '../support/terminal.ts';

const SAMPLE = join(process.cwd(), 'sample-data', 'pysystemtrade');
let nats: TestNats;
let dir: string;
let prices: JetStreamPriceStore;
let record: DiagnosticsRecord;

function systack(args: string[], input?: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [join(process.cwd(), 'bin/systack.js'), ...args], {
      cwd: dir,
      env: { ...process.env, SYSTACK_PRIVATE_DIR: dir },
    });
    child.stdin.end(input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const menu = () => openMenu('interactive_diagnostics', dir, 120, 60);

beforeAll(async () => {
  nats = await startTestNats();
  const nc = await nats.connect('diagnostics-menus');
  prices = await JetStreamPriceStore.open(nc, 'systack');
  await importPrices(prices, SAMPLE);
  // The last 300 days of GOLD's adjusted prices as the backtest's rawdata.get_daily_prices.
  const gold = (await prices.getAdjustedPrices('GOLD'))!;
  const n = gold.times.length;
  const from = n - 300;
  record = {
    strategy_name: 'example',
    created: '2023-09-01T06:00:00.000Z',
    capital: 500_000,
    dates: Array.from(gold.times.subarray(from), (t) => new Date(t).toISOString().slice(0, 10)),
    instruments: { GOLD: { daily_prices: Array.from(gold.values.subarray(from)) } },
    skipped: [],
  };
  await (await JetStreamStrategyStore.open(nc, 'systack')).putDiagnostics('example', record);
  dir = mkdtempSync(join(tmpdir(), 'systack-diag-'));
  writeFileSync(
    join(dir, 'private_config.yaml'),
    `nats_url: ${nats.url}\necho_directory: ${join(dir, 'echos')}\nlog_level: error\n`,
  );
}, 120_000);
afterAll(async () => nats?.stop());

describe('diagnostics instrument-config / contract-config', () => {
  it("prints GOLD's configuration from csvconfig and ib_config_futures.csv", async () => {
    const r = await systack(['diagnostics', 'instrument-config', 'GOLD', '--json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      instrument_code: 'GOLD',
      description: 'Gold',
      pointsize: 100,
      currency: 'USD',
      asset_class: 'Metals',
      region: 'US',
      slippage: 0.068,
      per_block: 2.31,
      percentage: 0,
      per_trade: 0,
      sub_class: 'Precious',
      sub_sub_class: '',
      style: '',
      country: '',
      duration: '',
      hold_rollcycle: 'GJMQVZ',
      priced_rollcycle: 'GJMQVZ',
      roll_offset_day: -30,
      carry_offset: 1,
      approx_expiry_offset: 26,
      ib_symbol: 'GC',
      ib_exchange: 'COMEX',
      ib_currency: 'NA (IB infers it)',
      ib_multiplier: 100,
      ib_price_magnifier: 1,
      ib_ignore_weekly: false,
    });
  });

  it('prints a contract: expiry from the broker when sampled, else approximate; roll date, carry', async () => {
    const approx = JSON.parse(
      (await systack(['diagnostics', 'contract-config', 'GOLD', '20250600', '--json'])).stdout,
    );
    expect(approx).toMatchObject({
      contract_date: '20250600',
      month: 'M',
      in_priced_rollcycle: true,
      in_hold_rollcycle: true,
      expiry_date: '2025-06-27', // 1 June + ExpiryOffset 26
      expiry_source: 'approximate: 1st of the month + approx_expiry_offset',
      currently_sampling: false,
      approx_roll_date: '2025-05-28', // RollOffsetDays -30
      carry_contract: '20250800', // CarryOffset 1 along GJMQVZ
      next_held_contract: '20250800',
      ib_symbol: 'GC',
      ib_contract_month: '202506',
      prices_stored: false,
    });
    await prices.putSampledContracts('GOLD', [
      { contractDate: '20250600', expiryDate: '20250626', expiryApproximate: false, sampling: true },
    ]);
    const sampled = JSON.parse(
      (await systack(['diagnostics', 'contract-config', 'GOLD', '202506', '--json'])).stdout,
    );
    expect(sampled).toMatchObject({
      expiry_date: '2025-06-26',
      expiry_source: 'broker (stored by update_sampled_contracts)',
      currently_sampling: true,
      approx_roll_date: '2025-05-27',
    });
  });

  it('an unknown instrument or contract: a clear error, exit 1, nothing changed; a malformed contract: exit 2', async () => {
    const before = [await prices.listInstrumentConfigs(), await prices.getSampledContracts('GOLD')];
    const nope = await systack(['diagnostics', 'instrument-config', 'NOPE']);
    expect(nope.code).toBe(1);
    expect(nope.stderr).toBe(
      "systack: unknown instrument 'NOPE': no instrument config stored (configured: GOLD, SOFR, SP500, US10)\n",
    );
    expect((await systack(['diagnostics', 'contract-config', 'NOPE', '20250600'])).code).toBe(1);
    const july = await systack(['diagnostics', 'contract-config', 'GOLD', '20250700']);
    expect(july.code).toBe(1);
    expect(july.stderr).toContain(
      'GOLD has no contract 20250700: month N is in neither its priced roll cycle GJMQVZ',
    );
    const bad = await systack(['diagnostics', 'contract-config', 'GOLD', '2025-06']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("contract must be YYYYMM00, YYYYMM or YYYYMMDD, got '2025-06'");
    expect([await prices.listInstrumentConfigs(), await prices.getSampledContracts('GOLD')]).toEqual(before);
  });
});

describe('strategy backtest --output plot / html / csv', () => {
  const args = ['strategy', 'backtest', '--strategy', 'example', '--stage', 'rawdata'];
  const sel = [...args, '--method', 'get_daily_prices', '--instrument', 'GOLD'];

  it('plot: a line chart in the terminal between the series low and high, dates and last value', async () => {
    // Wide enough for one column a day: the axis runs from the series' high to its low.
    const r = await systack([...sel, '--output', 'plot', '--width', '320', '--height', '10']);
    expect(r.code).toBe(0);
    const values = record.instruments.GOLD!.daily_prices as number[];
    const [lo, hi] = [Math.min(...values), Math.max(...values)];
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'example GOLD rawdata.get_daily_prices (run 2023-09-01T06:00:00.000Z)',
      `${record.dates[0]} to ${record.dates[299]}, 300 rows`,
    ]);
    // the axis labels run from the high to the low of the series
    const labels = lines.filter((l) => /[┤┼]/.test(l)).map((l) => Number(l.split(/[┤┼]/)[0]));
    expect(labels.length).toBeGreaterThanOrEqual(10);
    expect(Math.abs(labels[0]! - hi)).toBeLessThan(1);
    expect(Math.abs(labels.at(-1)! - lo)).toBeLessThan(1);
    const axis = lines.find((l) => l.startsWith(' ') && l.trim().startsWith(record.dates[0]!));
    expect(axis?.trimEnd().endsWith(record.dates[299]!)).toBe(true);
    // Narrower: each column the last value of its span of days, within the width.
    const narrow = (await systack([...sel, '--output', 'plot', '--width', '80'])).stdout.split('\n');
    expect(narrow[1]).toContain('300 rows, each column ≈ ');
    expect(Math.max(...narrow.map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(r.stdout).toContain(`── daily_prices: last ${values[299]!.toFixed(2)}`);
  });

  it('interactive: a prompt over the run evaluates expressions on the stored series', async () => {
    const values = record.instruments.GOLD!.daily_prices as number[];
    const r = await systack(
      [...sel, '--output', 'interactive'],
      [
        'series.daily_prices.length',
        'last("daily_prices")',
        'Math.max(...series.daily_prices)',
        'dates.at(-1)',
        'Object.keys(run)',
        'last("nope")',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('series   series.daily_prices (300 values each)');
    const answers = r.stdout
      .split('backtest> ')
      .slice(1)
      .map((a) => a.trim())
      .filter((a) => a !== '');
    expect(answers.slice(0, 5)).toEqual([
      '300',
      String(values[299]),
      String(Math.max(...values)),
      `'${record.dates[299]}'`,
      "[ 'GOLD' ]",
    ]);
    expect(answers[5]).toContain("no series 'nope' (one of: daily_prices)");
  });

  it('html and csv: every row written to a file, its path printed', async () => {
    const csv = await systack([...sel, '--output', 'csv']);
    const path = join(
      dir,
      'echos',
      'reports',
      'backtest_objects',
      'example_GOLD_rawdata_get_daily_prices.csv',
    );
    expect(csv.stdout).toBe(`wrote 300 rows to ${path}\n`);
    const rows = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(rows).toHaveLength(301);
    expect(rows[0]).toBe('date,daily_prices');
    const last = record.instruments.GOLD!.daily_prices![299]!;
    expect(rows[300]).toBe(`${record.dates[299]},${pythonRepr(last)}`);
    const file = join(dir, 'gold.html');
    const html = await systack([...sel, '--output', 'html', '--file', file, '--json']);
    expect(JSON.parse(html.stdout)).toEqual({ path: file, rows: 300 });
    const page = readFileSync(file, 'utf8');
    expect(page).toContain('<canvas id="chart-series">');
    expect(page).toMatch(
      new RegExp(`${record.dates[299]} +${pythonRepr(last).replace('.', '\\.')}(\n|</pre>)`),
    );
    expect(page).not.toMatch(/<script src=/); // self-contained: Chart.js inlined
  });
});

describe('interactive_diagnostics on a pseudo-terminal', () => {
  it('Instrument configuration: view the instrument, then a contract; Backtest objects: plot, interactive', async () => {
    const term = menu();
    try {
      let at = await term.see('7: Instrument configuration');
      term.keys(DOWN, DOWN, DOWN, DOWN, DOWN, DOWN, ENTER);
      at = await term.see('1: View instrument configuration data', at);
      term.keys(ENTER);
      at = await term.see('? instrument code', at);
      term.keys('GOLD', ENTER);
      at = await term.see('$ systack diagnostics instrument-config GOLD', at);
      for (const [key, value] of [
        ['pointsize', '100'],
        ['asset_class', 'Metals'],
        ['slippage', '0.068'],
        ['per_block', '2.31'],
        ['hold_rollcycle', 'GJMQVZ'],
        ['ib_symbol', 'GC'],
      ] as const)
        expect(await term.see(value, await term.see(key, at))).toBeGreaterThan(at);
      at = await term.see('2: View contract configuration data', at);
      term.keys(DOWN, ENTER);
      at = await term.see('? instrument code', at);
      term.keys('GOLD', ENTER);
      at = await term.see('contract (YYYYMM00', at);
      term.keys('20250600', ENTER);
      at = await term.see('$ systack diagnostics contract-config GOLD 20250600', at);
      at = await term.see('2025-06-26', await term.see('expiry_date', at)); // the stored broker expiry
      at = await term.see('20250800', await term.see('carry_contract', at));
      at = await term.see('0: Back', at);
      term.keys(UP, UP, ENTER); // Exit is last, Back before it
      at = await term.see('1: Backtest objects', at);
      term.keys(ENTER);
      at = await term.see('1: Browse backtest objects', at);
      term.keys(ENTER);
      at = await term.see('? output', at);
      term.keys(DOWN, ENTER); // print, plot
      at = await term.see('? strategy name', at);
      term.keys('example', ENTER);
      at = await term.see('? stage', at);
      term.keys(ENTER); // rawdata
      at = await term.see('? method', at);
      term.keys(ENTER); // get_daily_prices
      at = await term.see('? instrument code', at);
      term.keys('GOLD', ENTER);
      at = await term.see(
        '$ systack strategy backtest --strategy example --stage rawdata --method get_daily_prices --instrument GOLD --output plot',
        at,
      );
      const last = record.instruments.GOLD!.daily_prices![299]!;
      at = await term.see(`── daily_prices: last ${last.toFixed(2)}`, at);
      at = await term.see('0: Back', at);
      // Again with the interactive output: a prompt on the terminal, an expression, .exit.
      term.keys(ENTER);
      at = await term.see('? output', at);
      term.keys(DOWN, DOWN, DOWN, DOWN, ENTER); // print, plot, html, csv, interactive
      at = await term.see('? strategy name', at);
      term.keys('example', ENTER);
      at = await term.see('? stage', at);
      term.keys(ENTER);
      at = await term.see('? method', at);
      term.keys(ENTER);
      at = await term.see('? instrument code', at);
      term.keys('GOLD', ENTER);
      at = await term.see('--instrument GOLD --output interactive', at);
      at = await term.see('backtest> ', at);
      term.keys('last("daily_prices") * 2', ENTER);
      at = await term.see(String(last * 2), at);
      term.keys('.exit', ENTER);
      expect(await term.exitMenu(at)).toBe(0);
    } finally {
      term.child.kill();
    }
  }, 180_000);
});
