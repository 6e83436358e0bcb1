/**
 * Benchmark: the classic system over every instrument in the pysystemtrade data folder, full
 * history. Prints load and run times. `npx tsx bench/system.ts [--json] [--dir DIR]`.
 */
import { fileURLToPath } from 'node:url';
import { runClassicSystem } from '../src/domain/system/classic-system.ts';
import { classicSystemConfig } from '../src/domain/system/config.ts';
import { loadPysystemtradeData } from '../src/store/pysystemtrade-csv.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const dirIdx = args.indexOf('--dir');
const dir =
  dirIdx >= 0 && args[dirIdx + 1]
    ? args[dirIdx + 1]!
    : fileURLToPath(new URL('../../shared/data/pysystemtrade', import.meta.url));

const t0 = performance.now();
const data = loadPysystemtradeData(dir);
const t1 = performance.now();
const result = runClassicSystem({ ...data, capital: 1_000_000 }, classicSystemConfig());
const t2 = performance.now();

const report = {
  instruments: data.instruments.length,
  rows: result.grid.length,
  load_ms: Math.round(t1 - t0),
  system_ms: Math.round(t2 - t1),
  total_ms: Math.round(t2 - t0),
  positions: result.positions.map((p) => ({
    instrument_code: p.instrument_code,
    lower: Number(p.lower_position.toFixed(4)),
    upper: Number(p.upper_position.toFixed(4)),
    reference_price: p.reference_price,
    reference_contract: p.reference_contract,
  })),
  skipped: result.skipped,
};
if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
else {
  process.stdout.write(
    `classic system: ${report.instruments} instruments, ${report.rows} business days; load ${report.load_ms} ms, system ${report.system_ms} ms, total ${report.total_ms} ms\n`,
  );
  for (const p of report.positions) process.stdout.write(`${JSON.stringify(p)}\n`);
}
