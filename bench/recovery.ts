/**
 * Recovery benchmark: put N open orders on the stacks (instrument + contract + resting broker
 * order each), then open a second stack handler on the same JetStream and time the restore
 * (snapshot per actor + fill replay + reconciliation with the broker).
 *
 *   npm run bench:recovery -- --open 10000 --json   # on tsc's output in dist/ (bench/compiled.mjs)
 *   npx tsx bench/recovery.ts --open 10000 --json    # on the TypeScript sources, through tsx
 *
 * Prints {code, open_orders, restore_ms, restore_cpu_ms, rss_mb, ...}. Nothing is asserted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { StackHandler } from '../actors/stack/stack-handler.ts';
import { ConstantPriceSource } from '../src/broker/sim/price-source.ts';
import { SimBroker } from '../src/broker/sim/sim-broker.ts';
import { connectNats } from '../src/bus/connection.ts';
import { startEmbeddedNats } from '../src/bus/embedded.ts';
import { SimulatedClock } from '../src/clock.ts';

const { values } = parseArgs({
  options: { open: { type: 'string', default: '10000' }, json: { type: 'boolean', default: false } },
});
const N = Number(values.open);
const dir = await mkdtemp(join(tmpdir(), 'systack-bench-'));
const server = await startEmbeddedNats({ storeDir: join(dir, 'js'), portsDir: dir });
const nc = await connectNats({ url: server.url, name: 'bench-recovery' });
const clock = new SimulatedClock(Date.UTC(2026, 10, 20, 14));
// Passive limit orders at the bid of a constant price never fill: every family stays open.
const broker = new SimBroker({ clock, prices: new ConstantPriceSource(100), restingCheckMs: 0 });
const config = { inspect: false, algoSizeLimit: 100 };
const first = await StackHandler.open({ nc, broker, clock, prefix: 'rec', config });
const batch = 500;
for (let i = 0; i < N; i += batch) {
  await Promise.all(
    Array.from({ length: Math.min(batch, N - i) }, (_, k) =>
      first.createInstrumentOrder({
        strategyName: `s${(i + k) % 7}`,
        instrumentCode: `I${i + k}`,
        trade: 1 + ((i + k) % 3),
        orderType: 'best',
      }),
    ),
  );
  await first.spawnChildrenFromNewInstrumentOrders();
  await first.createBrokerOrdersFromContractOrders();
}
await broker.idle();
await first.close();
const before = first.core.host.size;
const stack = (await (await jetstreamManager(nc)).streams.info('REC_STACK')).state;

const t0 = performance.now();
const cpu0 = process.cpuUsage();
const second = await StackHandler.open({ nc, broker, clock, prefix: 'rec', config });
const restoreMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const result = {
  // Which code ran: `dist` (tsc's output, `npm run bench:recovery`) or `tsx` (sources at run time).
  code: import.meta.url.endsWith('.ts') ? 'tsx' : 'dist',
  open_orders: second.restoreReport.open_orders,
  families: second.core.orders('instrument').length,
  actors_before: before,
  restore_ms: Math.round(restoreMs),
  // CPU of this process during the restore: steadier than the wall time on a shared machine.
  restore_cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
  rss_mb: Math.round(process.memoryUsage().rss / 1e6),
  // What a restore reads: the last message of every actor's subject.
  stack_bytes_per_message: Math.round(stack.bytes / Math.max(1, stack.messages)),
  stack_messages: stack.messages,
};
process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
await second.close();
await nc.close();
await server.stop();
await rm(dir, { recursive: true, force: true });
