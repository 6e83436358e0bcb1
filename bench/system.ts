/**
 * Benchmark: the classic system over every instrument in the pysystemtrade data folder, full
 * history. Prints load and run times (wall and CPU, so a busy machine can be told apart from a
 * slow system) and each instrument's last buffer edges (`lower`, `upper`) at full precision.
 * `npx tsx bench/system.ts [--json] [--dir DIR]`.
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

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const c0 = cpuMs();
const t0 = performance.now();
const data = loadPysystemtradeData(dir);
const c1 = cpuMs();
const t1 = performance.now();
const result = runClassicSystem({ ...data, capital: 1_000_000 }, classicSystemConfig());
const c2 = cpuMs();
const t2 = performance.now();

const report = {
  instruments: data.instruments.length,
  rows: result.grid.length,
  load_ms: Math.round(t1 - t0),
  system_ms: Math.round(t2 - t1),
  total_ms: Math.round(t2 - t0),
  load_cpu_ms: Math.round(c1 - c0),
  system_cpu_ms: Math.round(c2 - c1),
  positions: result.positions.map((p) => ({
    instrument_code: p.instrument_code,
    reference_date: p.reference_date,
    lower: p.lower_position,
    upper: p.upper_position,
    reference_price: p.reference_price,
    reference_contract: p.reference_contract,
  })),
  skipped: result.skipped,
};
if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
else {
  process.stdout.write(
    `classic system: ${report.instruments} instruments, ${report.rows} business days; load ${report.load_ms} ms (CPU ${report.load_cpu_ms}), system ${report.system_ms} ms (CPU ${report.system_cpu_ms}), total ${report.total_ms} ms\n`,
  );
  for (const p of report.positions) process.stdout.write(`${JSON.stringify(p)}\n`);
}
