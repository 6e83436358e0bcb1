/**
 * Benchmark: the classic system's data from the JetStream price store vs from the CSV folder
 * (all of shared/data/pysystemtrade, full history), and the system run on each. Prints the load
 * times and whether both give the same optimal positions. `npx tsx bench/system-data.ts [--json]`.
 */
import { isDeepStrictEqual } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectNats } from '../src/bus/connection.ts';
import { startEmbeddedNats } from '../src/bus/embedded.ts';
import { runClassicSystem } from '../src/domain/system/classic-system.ts';
import { classicSystemConfig } from '../src/domain/system/config.ts';
import { importPrices } from '../src/store/csv/import.ts';
import { JetStreamPriceStore } from '../src/store/jetstream/price-store.ts';
import { PriceStoreSystemDataSource } from '../src/store/price-store-system-data.ts';
import { CsvSystemDataSource } from '../src/store/system-data.ts';

const json = process.argv.includes('--json');
const DATA = join(import.meta.dirname, '../../shared/data/pysystemtrade');

const dir = await mkdtemp(join(tmpdir(), 'systack-bench-system-data-'));
const server = await startEmbeddedNats({ storeDir: join(dir, 'js'), portsDir: dir });
const nc = await connectNats({ url: server.url, name: 'bench-system-data' });
try {
  const store = await JetStreamPriceStore.open(nc, 'bench');
  await importPrices(store, DATA);
  const time = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    const t = performance.now();
    const v = await fn();
    return [v, performance.now() - t];
  };
  const [csv, csvMs] = await time(() => new CsvSystemDataSource(DATA).load());
  const [fromStore, storeMs] = await time(() => new PriceStoreSystemDataSource(store).load());
  const config = classicSystemConfig();
  const [a, systemMs] = await time(async () =>
    runClassicSystem({ ...fromStore, capital: 1_000_000 }, config),
  );
  const b = runClassicSystem({ ...csv, capital: 1_000_000 }, config);
  const result = {
    instruments: fromStore.instruments.length,
    rows: fromStore.instruments.reduce((n, d) => n + d.adjusted.times.length + d.multiple.times.length, 0),
    loadCsvMs: Math.round(csvMs),
    loadStoreMs: Math.round(storeMs),
    systemMs: Math.round(systemMs),
    samePositions: isDeepStrictEqual(a.positions, b.positions),
  };
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await nc.close();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
