/**
 * Orders benchmark: instrument orders driven end to end (instrument → contract → broker → sim
 * fill → positions → history) through JetStream and the simulated broker at zero latency.
 *
 *   npm run bench:orders -- --orders 3000 --warmup 1000 --json  # on the compiled code (dist/)
 *   npx tsx bench/orders.ts --orders 5000 --json            # throughput: offer everything at once
 *   npx tsx bench/orders.ts --orders 2000 --rate 200 --json  # latency at an offered rate
 *   npx tsx bench/orders.ts --profile /tmp/orders.cpuprofile  # CPU profile of the measured window
 *   npx tsx bench/orders.ts --warmup 500                      # 500 families first, not measured
 *
 * The warm-up families (strategies `w0`..`w3`) run to completion before the measured window opens,
 * so the window sees the order path compiled by the JIT, as a long-running stack handler does;
 * they are left out of every per-family figure (`warmup_orders` says how many ran).
 * `npm run bench:orders` runs it on tsc's output in dist/ (bench/compiled.mjs), as shipped; through
 * tsx it runs the TypeScript sources, compiled at run time keeping names (`code` says which).
 * Prints {code, orders, families_completed, fills, lost_fills, duplicate_fills, position_mismatches,
 * orders_per_s, p50_ms, p99_ms, rss_mb, cpu_ms_per_family, js_writes_per_family,
 * js_write_bytes_per_family, server_cpu_ms_per_family}. Nothing is
 * asserted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runStackHandler } from '../actors/stack/run.ts';
import { staticUniverse } from '../actors/universe.ts';
import type { FillRecord } from '../actors/stack/types.ts';
import { ConstantPriceSource } from '../src/broker/sim/price-source.ts';
import { SimBroker } from '../src/broker/sim/sim-broker.ts';
import { connectNats } from '../src/bus/connection.ts';
import { startEmbeddedNats } from '../src/bus/embedded.ts';
import { SimulatedClock } from '../src/clock.ts';

Error.stackTraceLimit = Number(process.env.STACK_LIMIT ?? 10);
const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '2000' },
    rate: { type: 'string' },
    instruments: { type: 'string', default: '50' },
    inspect: { type: 'boolean', default: false },
    // Families run before the measured window (JIT warm-up of the order path), not counted.
    warmup: { type: 'string', default: '0' },
    // Write a CPU profile of the measured window only (start-up excluded) to this file.
    profile: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(values.orders);
const rate = values.rate ? Number(values.rate) : undefined;
const nInstruments = Number(values.instruments);
const W = Number(values.warmup);

const dir = await mkdtemp(join(tmpdir(), 'systack-bench-'));
const server = await startEmbeddedNats({ storeDir: join(dir, 'js'), portsDir: dir });
const nc = await connectNats({ url: server.url, name: 'bench' });
const clock = new SimulatedClock(Date.UTC(2026, 10, 20, 14));
const broker = new SimBroker({
  clock,
  prices: new ConstantPriceSource(100),
  restingCheckMs: 0,
  latencyMs: 0,
});
const run = await runStackHandler({
  nc,
  broker,
  clock,
  prefix: 'bench',
  loopMs: 1,
  // Orders go in through createInstrumentOrder, not the services: no name is needed there.
  universe: staticUniverse({ instruments: [], strategies: [] }),
  log: {
    debug() {},
    info() {},
    warn: (f, m) => console.error('WARN', m, JSON.stringify(f)),
    error: (f, m) => console.error('ERR', m, JSON.stringify(f)),
  },
  config: { algoSizeLimit: 100, inspect: values.inspect, fillsSweepEveryMs: 1000, breakCheckEveryMs: 1000 },
});
const core = run.handler.core;
const created = new Map<number, number>();
const latencies: number[] = [];
let completed = 0;
let resolveAll: () => void = () => undefined;
const allDone = new Promise<void>((r) => {
  resolveAll = r;
});
let warmDone = 0;
let resolveWarm: () => void = () => undefined;
const warmedUp = new Promise<void>((r) => {
  resolveWarm = r;
});
core.completedListeners.add((io) => {
  if (io.strategyName.startsWith('w')) {
    if (++warmDone === W) resolveWarm();
    return;
  }
  const t = created.get(io.id);
  if (t !== undefined) latencies.push(performance.now() - t);
  if (++completed === N) resolveAll();
});
if (W > 0) {
  // Strategies of their own (`w0`..`w3`): no netting against the measured orders.
  for (let i = 0; i < W; i++) {
    await run.handler.createInstrumentOrder({
      strategyName: `w${i % 4}`,
      instrumentCode: `I${i % nInstruments}`,
      trade: i % 2 ? -1 : 1,
      orderType: 'market',
      noNetting: true,
    });
  }
  await warmedUp;
}

const trades: Array<{ strategyName: string; instrumentCode: string; trade: number }> = [];
for (let i = 0; i < N; i++) {
  trades.push({
    strategyName: `s${i % 4}`,
    instrumentCode: `I${i % nInstruments}`,
    trade: (i % 2 ? -1 : 1) * (1 + (i % 3)),
  });
}

/** CPU seconds (user + system) the NATS server process has used so far (Linux /proc). */
const serverCpu = (): number => {
  try {
    const f = readFileSync(`/proc/${server.serverPid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return Number.NaN;
  }
};
const profiler = values.profile ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
// Counters at the window's start: what the warm-up did is not counted.
const events0 = core.host.eventsRecorded;
const writes0 = new Map(core.store.writes);
const chars0 = new Map(core.store.writtenChars ?? []);
const cpu0 = process.cpuUsage();
const serverCpu0 = serverCpu();
const start = performance.now();
const submit = async (i: number) => {
  const t = trades[i]!;
  const t0 = performance.now();
  // Netting on insert (B5) turns a repeat of an unfilled key into its residual; the bench sends
  // desired trades so that the residual is exactly `t.trade`.
  const outstanding = core
    .activeInstrumentOrders(t.strategyName, t.instrumentCode)
    .reduce((s, o) => s + o.trade - o.fill, 0);
  const io = await run.handler.createInstrumentOrder({
    ...t,
    trade: t.trade + outstanding,
    orderType: 'market',
  });
  created.set(io.id, t0);
};
if (rate) {
  const gap = 1000 / rate;
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < N; i++) {
    const due = start + i * gap;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(submit(i));
  }
  await Promise.all(pending);
} else {
  const batch = 256;
  for (let i = 0; i < N; i += batch) {
    await Promise.all(Array.from({ length: Math.min(batch, N - i) }, (_, k) => submit(i + k)));
  }
}
await Promise.race([allDone, new Promise((r) => setTimeout(r, 120_000).unref())]);
const elapsed = (performance.now() - start) / 1000;
const cpu = process.cpuUsage(cpu0);
const serverCpuS = serverCpu() - serverCpu0;
if (profiler && values.profile) {
  const { profile } = await profiler.post('Profiler.stop');
  writeFileSync(values.profile, JSON.stringify(profile));
  profiler.disconnect();
}
await broker.idle();
await run.handler.settled();
await core.host.flush();

const brokerFills = await broker.fills(0);
const records = (await core.store.loadFills<FillRecord>()).map((r) => r.data.execId);
const recorded = new Set(records);
const lost = brokerFills.filter((f) => !recorded.has(f.execId)).length;
const duplicates = records.length - recorded.size;
const ours = new Map(
  run.handler.positions().contract.map((p) => [`${p.instrumentCode}/${p.contractDate}`, p.position]),
);
const theirs = new Map(
  (await broker.positions()).map((p) => [`${p.instrumentCode}/${p.contractDate}`, p.position]),
);
let mismatches = 0;
for (const k of new Set([...ours.keys(), ...theirs.keys()]))
  if ((ours.get(k) ?? 0) !== (theirs.get(k) ?? 0)) mismatches++;
const wanted = new Map<string, number>();
for (let i = 0; i < W; i++)
  wanted.set(
    `w${i % 4}/I${i % nInstruments}`,
    (wanted.get(`w${i % 4}/I${i % nInstruments}`) ?? 0) + (i % 2 ? -1 : 1),
  );
for (const t of trades)
  wanted.set(
    `${t.strategyName}/${t.instrumentCode}`,
    (wanted.get(`${t.strategyName}/${t.instrumentCode}`) ?? 0) + t.trade,
  );
for (const p of run.handler.positions().strategy)
  if (wanted.get(`${p.strategyName}/${p.instrumentCode}`) !== p.position) mismatches++;

latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  Number((latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0).toFixed(2));
const result = {
  // Which code ran: `dist` (tsc's output, through bench/compiled.mjs: `npm run bench:orders`) or
  // `tsx` (the TypeScript sources compiled at run time, keeping names: a few % more CPU).
  code: import.meta.url.endsWith('.ts') ? 'tsx' : 'dist',
  orders: N,
  warmup_orders: W,
  offered_rate: rate ?? null,
  families_completed: completed,
  fills: brokerFills.length,
  lost_fills: lost,
  duplicate_fills: duplicates,
  position_mismatches: mismatches,
  orders_per_s: Number((completed / elapsed).toFixed(1)),
  families_per_s: Number((completed / elapsed).toFixed(1)),
  // Events taken by the order actors (machine transitions and the host's own: created, broker
  // ids), per completed family.
  transitions_per_family: Number(((core.host.eventsRecorded - events0) / Math.max(1, completed)).toFixed(2)),
  p50_ms: pct(0.5),
  p99_ms: pct(0.99),
  rss_mb: Math.round(process.memoryUsage().rss / 1e6),
  // CPU per completed family, of this process and of the NATS server: steadier than the rate
  // on a shared machine.
  cpu_ms_per_family: Number(((cpu.user + cpu.system) / 1000 / Math.max(1, completed)).toFixed(3)),
  js_writes_per_family: Object.fromEntries(
    [...core.store.writes].map(([k, n]) => [
      k,
      Number(((n - (writes0.get(k) ?? 0)) / Math.max(1, completed)).toFixed(2)),
    ]),
  ),
  // Characters (bytes: the JSON is ASCII) of what those writes carried, per completed family.
  js_write_bytes_per_family: Object.fromEntries(
    [...(core.store.writtenChars ?? [])].map(([k, n]) => [
      k,
      Math.round((n - (chars0.get(k) ?? 0)) / Math.max(1, completed)),
    ]),
  ),
  server_cpu_ms_per_family: Number(((serverCpuS * 1000) / Math.max(1, completed)).toFixed(3)),
};
process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
await run.stop();
await nc.close();
await server.stop();
await rm(dir, { recursive: true, force: true });
