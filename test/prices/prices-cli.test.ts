import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const ROOT = join(import.meta.dirname, '../..');
const SAMPLE = join(ROOT, 'sample-data/pysystemtrade');
const DATA = join(import.meta.dirname, '../../../shared/data/pysystemtrade');
const DAY = 86_400_000;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out += String(s);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err += String(s);
    return true;
  });
  try {
    return { code: await runCli(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

let nats: TestNats;

/** A fat-finger EURUSD price (9.99, 900× the last) held in quarantine at `t`. */
function quarantineEurUsdSpike(store: JetStreamPriceStore, t: number): Promise<void> {
  return store.putQuarantine({
    target: { kind: 'fx', fxCode: 'EURUSD' },
    rows: [{ time: t, final: 9.99 }],
    spikeTime: t,
    spikeRatio: 900,
    maxSpike: 8,
    detectedAt: t,
  });
}
let tmp: string;
beforeAll(async () => {
  nats = await startTestNats();
  tmp = mkdtempSync(join(tmpdir(), 'systack-prices-cli-'));
});
afterAll(async () => {
  await nats?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('systack prices', () => {
  it('import --dir loads the bundled sample into JetStream, with plain progress lines off a TTY', async () => {
    const r = await run(['prices', 'import', '--dir', SAMPLE, '--nats-url', nats.url, '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out) as { multiplePrices: string[]; fxPrices: string[] };
    expect(summary.multiplePrices).toEqual(['GOLD', 'SOFR', 'SP500', 'US10']);
    expect(summary.fxPrices).toEqual(['EURUSD']);
    expect(r.err).toMatch(/^read 1\/\d+ csvconfig$/m);
    expect(r.err).toMatch(/^write \d+\/\d+ /m);
    const store = await JetStreamPriceStore.open(await nats.connect(), 'systack');
    expect((await store.getMultiplePrices('GOLD'))?.times.length).toBeGreaterThan(700);
    expect((await store.getInstrumentConfig('SP500'))?.meta?.pointsize).toBe(50);
  });

  it('list and show read the imported series back by instrument and date range', async () => {
    const list = await run(['prices', 'list', '--nats-url', nats.url, '--json']);
    expect(list.code).toBe(0);
    const { instruments, fx } = JSON.parse(list.out) as {
      instruments: Array<Record<string, unknown>>;
      fx: unknown[];
    };
    expect(instruments.map((r) => r.instrument)).toEqual(['GOLD', 'SOFR', 'SP500', 'US10']);
    expect(instruments[0]).toMatchObject({
      instrument: 'GOLD',
      price_contract: '20231000',
      forward_contract: '20231200',
      quarantined: 0,
    });
    expect(fx).toHaveLength(1);
    const show = await run([
      'prices',
      'show',
      'GOLD',
      '--kind',
      'multiple',
      '--start',
      '2023-08-29',
      '--end',
      '2023-08-30',
      '--nats-url',
      nats.url,
      '--json',
    ]);
    expect(show.code).toBe(0);
    const rows = JSON.parse(show.out) as Array<Record<string, string>>;
    const sample = readFileSync(join(SAMPLE, 'multiple_prices_csv/GOLD.csv'), 'utf8').split('\n');
    const expected = sample.filter((l) => l.startsWith('2023-08-29') || l.startsWith('2023-08-30'));
    expect(rows.map((r) => Object.values(r).join(','))).toEqual(expected);
    const bad = await run(['prices', 'show', 'GOLD', '--start', '29/08/2023', '--nats-url', nats.url]);
    expect(bad.code).toBe(2);
  });

  it('show prints a table with prices at the instrument tick precision (SOFR: 0.005, three decimals)', async () => {
    const r = await run([
      'prices',
      'show',
      'SOFR',
      '--start',
      '2023-08-29',
      '--end',
      '2023-08-30',
      '--nats-url',
      nats.url,
    ]);
    expect(r.code).toBe(0);
    const prices = [...r.out.matchAll(/│\s*(-?\d+\.\d+)\s*│\s*$/gm)].map((m) => m[1]);
    expect(prices.length).toBeGreaterThan(0);
    for (const p of prices) expect(p).toMatch(/^-?\d+\.\d{3}$/);
    expect(r.out).toMatch(/│ datetime\s+│ price\s+│/);
  });

  it('import of a missing folder fails with exit code 1 and a message', async () => {
    const r = await run(['prices', 'import', '--dir', join(tmp, 'nope'), '--nats-url', nats.url]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('not a directory');
  });

  it("adjust writes pysystemtrade's adjusted CSV text", async () => {
    const out = join(tmp, 'GOLD.csv');
    const r = await run([
      'prices',
      'adjust',
      '--multiple',
      join(DATA, 'multiple_prices_csv/GOLD.csv'),
      '--out',
      out,
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ rows: 50554 });
    const ours = readFileSync(out, 'utf8').split('\n');
    const theirs = new Set(readFileSync(join(DATA, 'adjusted_prices_csv/GOLD.csv'), 'utf8').split('\n'));
    // every line but the one row that exists only in multiple prices (data doc §5) is identical
    expect(ours.filter((l) => !theirs.has(l))).toEqual(['2023-08-29 23:00:00,1946.8']);
  });

  it('check --use-previous replaces a quarantined spike and writes the checked data', async () => {
    const store = await JetStreamPriceStore.open(await nats.connect(), 'systack');
    const fx = await store.getFxPrices('EURUSD');
    const last = (fx?.times.length ?? 0) - 1;
    const t = (fx?.times[last] as number) + DAY;
    await quarantineEurUsdSpike(store, t);
    const r = await run(['prices', 'check', 'EURUSD', '--use-previous', '--nats-url', nats.url, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual([{ target: 'FX EURUSD', decisions: 1, rows_written: 1 }]);
    const after = await store.getFxPrices('EURUSD');
    expect(after?.times[last + 1]).toBe(t);
    expect(after?.values[last + 1]).toBe(fx?.values[last]);
    expect(await store.listQuarantine('EURUSD')).toEqual([]);
    const again = await run(['prices', 'check', 'EURUSD', '--accept-all', '--nats-url', nats.url]);
    expect(again.code).toBe(1);
    expect(again.err).toContain('no quarantined prices for EURUSD');
  });

  it('check asks a person: a typed fat-finger is asked again, a good typed value is written', async () => {
    const store = await JetStreamPriceStore.open(await nats.connect(), 'systack');
    const fx = await store.getFxPrices('EURUSD');
    const t = (fx?.times.at(-1) as number) + DAY;
    await quarantineEurUsdSpike(store, t);
    const child = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/systack.js'), 'prices', 'check', 'EURUSD', '--nats-url', nats.url, '--json'],
      { cwd: ROOT, input: 'huh\n50\n1.0871\n', encoding: 'utf8' },
    );
    expect(child.stderr).not.toContain('systack:');
    expect(child.status).toBe(0);
    expect(child.stdout.match(/Spike in FX EURUSD/g)?.length).toBe(2); // 9.99, then the typed 50
    expect(child.stdout).toContain("'huh' is not a, p or a number");
    expect(child.stdout).toContain('"decisions": 2');
    const after = await store.getFxPrices('EURUSD');
    expect(after?.times.at(-1)).toBe(t);
    expect(after?.values.at(-1)).toBe(1.0871);
  });
});
