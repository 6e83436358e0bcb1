/**
 * CLI start-up times (issue 14 §2): wall time of whole `systack` processes, median of N runs,
 * measured around each child process (process-level timer). `node -e 0` is the floor.
 *   npx tsx bench/cli.ts [--runs 5] [--nats-url URL] --json
 * With --nats-url, also times NATS queries (`control processes`, `orders view instrument`)
 * against that running system (exit code recorded: a query without its service fails fast).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg('--runs') ?? 5);
const natsUrl = arg('--nats-url');
const BIN = join(import.meta.dirname, '..', 'bin', 'systack.js');

function time(args: string[]): { median_ms: number; runs_ms: number[]; exit_code: number | null } {
  const ms: number[] = [];
  let code: number | null = 0;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    code = r.status;
  }
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    median_ms: Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0),
    runs_ms: ms.map(Math.round),
    exit_code: code,
  };
}

const result: Record<string, unknown> = {
  runs,
  node_e_0: time(['-e', '0']),
  systack_help: time([BIN, '--help']),
};
if (natsUrl) {
  result.control_processes = time([BIN, 'control', 'processes', '--nats-url', natsUrl]);
  result.orders_view_instrument = time([BIN, 'orders', 'view', 'instrument', '--nats-url', natsUrl]);
}
process.stdout.write(`${JSON.stringify(result)}\n`);
