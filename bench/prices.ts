/**
 * Benchmark of the price pipeline (issue 5): import of all of shared/data/pysystemtrade into
 * JetStream (a real nats-server started here) and one Panama adjustment of a ~50,000-row
 * instrument. Prints times; targets: import < 10 s, adjustment < 200 ms. `--json` for JSON only.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectNats } from '../src/bus/connection.ts';
import { startEmbeddedNats } from '../src/bus/embedded.ts';
import { panamaStitch } from '../src/domain/prices/panama.ts';
import { importPrices } from '../src/store/csv/import.ts';
import { parseMultiplePricesCsv } from '../src/store/csv/price-files.ts';
import { JetStreamPriceStore } from '../src/store/jetstream/price-store.ts';

const json = process.argv.includes('--json');
const DATA = join(import.meta.dirname, '../../shared/data/pysystemtrade');

const dir = await mkdtemp(join(tmpdir(), 'systack-bench-prices-'));
const server = await startEmbeddedNats({ storeDir: join(dir, 'js'), portsDir: dir });
const nc = await connectNats({ url: server.url, name: 'bench-prices' });
try {
  const store = await JetStreamPriceStore.open(nc, 'bench');
  const t0 = performance.now();
  const summary = await importPrices(store, DATA);
  const importMs = performance.now() - t0;

  const t1 = performance.now();
  const gold = await store.getMultiplePrices('GOLD');
  const loadMs = performance.now() - t1;
  if (!gold) throw new Error('GOLD not imported');

  const text = await readFile(join(DATA, 'multiple_prices_csv', 'GOLD.csv'), 'utf8');
  const m = parseMultiplePricesCsv(text, 'GOLD.csv');
  panamaStitch(m); // warm-up
  const runs = 5;
  const t2 = performance.now();
  for (let i = 0; i < runs; i++) panamaStitch(m);
  const adjustMs = (performance.now() - t2) / runs;

  const result = {
    import: {
      ms: Math.round(importMs),
      targetMs: 10_000,
      rows: summary.rows,
      multiple: summary.multiplePrices.length,
      adjusted: summary.adjustedPrices.length,
      fx: summary.fxPrices.length,
      rollCalendars: summary.rollCalendars.length,
      instrumentConfigs: summary.instrumentConfigs,
    },
    loadMultiplePrices: { instrument: 'GOLD', rows: gold.times.length, ms: Number(loadMs.toFixed(1)) },
    adjust: { instrument: 'GOLD', rows: m.times.length, ms: Number(adjustMs.toFixed(2)), targetMs: 200 },
  };
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await nc.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
