// A child process for supervisor tests: runs one process with a test method registry, as
// `systack run` would (same runner, same lease), with SIGTERM as a graceful stop.
import { hostname } from 'node:os';
import pino from 'pino';
import type { MethodRegistry } from '../../../actors/process-methods.ts';
import { runProcess } from '../../../actors/process-runner.ts';
import { AnchoredClock, anchorFromEnv, makeAnchor } from '../../../actors/supervisor/clock-sync.ts';
import { connectNats } from '../../../src/bus/connection.ts';
import { loadConfig } from '../../../src/config/load.ts';
import type { Logger } from '../../../src/log/logger.ts';
import { method, proc } from '../../supervisor/helpers.ts';

const name = process.argv[2] ?? 'test_proc';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const registry: MethodRegistry = {
  [name]: { work: () => sleep(50), eod: () => sleep(10) },
};
const nc = await connectNats({ url: process.env.SYSTACK_NATS_URL!, name });
const ac = new AbortController();
process.once('SIGTERM', () => ac.abort());
const log = pino({ customLevels: { critical: 55 }, level: 'warn' }, process.stderr) as unknown as Logger;
const out = await runProcess({
  nc,
  prefix: process.env.SYSTACK_TEST_PREFIX ?? 'sv',
  process: proc(name, {
    methods: [method('work', { maxExecutions: -1 }), method('eod', { runOnCompletionOnly: true })],
  }),
  timeZone: 'UTC',
  registry,
  clock: new AnchoredClock(anchorFromEnv(process.env) ?? makeAnchor(undefined, 1)),
  host: process.env.SYSTACK_HOST ?? hostname(),
  pid: process.pid,
  system: loadConfig().system,
  log,
  tickMs: 50,
  heartbeatMs: 200,
  signal: ac.signal,
});
await nc.drain();
process.exit(
  out.outcome === 'finished' ? 0 : out.outcome === 'failed' ? 1 : out.outcome === 'lease-lost' ? 4 : 3,
);
