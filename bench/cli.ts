/**
 * CLI start-up times (issue 14 §2): wall time of whole `systack` processes, median of N runs,
 * measured around each child process (process-level timer), and the child's CPU time (user +
 * system, from /usr/bin/time when installed: the figure a loaded machine changes least).
 * `node -e 0` is the floor.
 *   npx tsx bench/cli.ts [--runs 5] [--nats-url URL]
 * Each command also runs once under a module-load hook: `files_loaded` is how many files (ES
 * modules and CommonJS) it loaded, the figure that does not move with the machine's load (the
 * CLI runs from its bundle, dist/bundle/, so these are mostly the bundle's chunks).
 * NATS queries (`control processes`, `orders view instrument`) are timed against the system at
 * --nats-url, or else against one the bench starts: an embedded nats-server with the
 * process-control service (what the supervisor serves) and no stack handler (so `orders view`
 * reads the stack from JetStream, its path when the handler is not running).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startControlService } from '../actors/supervisor/control-service.ts';
import { ProcessStore } from '../actors/supervisor/process-store.ts';
import { connectNats } from '../src/bus/connection.ts';
import { startEmbeddedNats } from '../src/bus/embedded.ts';
import { wallClock } from '../src/clock.ts';
import { resolveControlConfig } from '../src/domain/process-control/config.ts';
import { SHIPPED_CONTROL_CONFIG } from '../src/domain/process-control/shipped.ts';
import { createRootLogger } from '../src/log/logger.ts';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg('--runs') ?? 5);
const BIN = join(import.meta.dirname, '..', 'bin', 'systack.js');
const TIME = '/usr/bin/time';
const cwd = mkdtempSync(join(tmpdir(), 'systack-bench-cli-'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Run one child to its end (async: the bench's own services keep answering meanwhile). */
function run(cmd: string, argv: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd, env: { ...process.env, SYSTACK_PRIVATE_DIR: cwd } });
    let stderr = '';
    child.stdout.resume();
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stderr }));
  });
}

/** A loader hook (its own thread) and a CommonJS hook appending each loaded file to $MODULE_LOG. */
const HOOKS = `data:text/javascript,${encodeURIComponent(
  `import { appendFileSync } from 'node:fs';
   export async function load(url, context, next) {
     if (url.startsWith('file:')) appendFileSync(process.env.MODULE_LOG, url.slice(7) + '\\n');
     return next(url, context);
   }`,
)}`;
const REGISTER = `data:text/javascript,${encodeURIComponent(
  `import Module, { register } from 'node:module';
   import { appendFileSync } from 'node:fs';
   register(${JSON.stringify(HOOKS)});
   const load = Module._load;
   Module._load = function (request, parent, isMain) {
     const loaded = load.call(this, request, parent, isMain);
     try {
       const file = Module._resolveFilename(request, parent, isMain);
       if (file.startsWith('/')) appendFileSync(process.env.MODULE_LOG, file + '\\n');
     } catch {}
     return loaded;
   };`,
)}`;

/** How many distinct files one run of `args` loads. */
async function filesLoaded(args: string[]): Promise<number> {
  const log = join(cwd, 'modules.txt');
  rmSync(log, { force: true });
  const saved = process.env.MODULE_LOG;
  process.env.MODULE_LOG = log;
  try {
    await run(process.execPath, ['--import', REGISTER, ...args]);
  } finally {
    if (saved === undefined) delete process.env.MODULE_LOG;
    else process.env.MODULE_LOG = saved;
  }
  if (!existsSync(log)) return 0;
  return new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean)).size;
}

async function time(args: string[]) {
  const ms: number[] = [];
  const cpu: number[] = [];
  let code: number | null = 0;
  const withTime = existsSync(TIME);
  for (let i = 0; i < runs; i++) {
    const [cmd, argv] = withTime
      ? [TIME, ['-f', 'cpu %U %S', process.execPath, ...args]]
      : [process.execPath, args];
    const t = process.hrtime.bigint();
    const r = await run(cmd, argv);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    code = r.status;
    const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
    if (m) cpu.push((Number(m[1]) + Number(m[2])) * 1000);
  }
  return {
    median_ms: Math.round(median(ms)),
    runs_ms: ms.map(Math.round),
    ...(cpu.length ? { median_cpu_ms: Math.round(median(cpu)) } : {}),
    files_loaded: await filesLoaded(args),
    exit_code: code,
  };
}

async function ownSystem() {
  const dir = mkdtempSync(join(tmpdir(), 'systack-bench-nats-'));
  const server = await startEmbeddedNats({ storeDir: join(dir, 'js'), portsDir: dir });
  const nc = await connectNats({ url: server.url, name: 'bench-cli' });
  const service = await startControlService({
    nc,
    prefix: 'systack',
    store: await ProcessStore.open(nc, 'systack'),
    control: resolveControlConfig(SHIPPED_CONTROL_CONFIG),
    clock: wallClock,
    host: 'bench',
    log: createRootLogger({ processName: 'bench', level: 'warn', destination: { write: () => true } }).log,
  });
  return {
    url: server.url,
    async stop() {
      await service.stop();
      await nc.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const result: Record<string, unknown> = {
  runs,
  load_average_1m: Number((await import('node:os')).loadavg()[0]!.toFixed(2)),
  node_e_0: await time(['-e', '0']),
  systack_help: await time([BIN, '--help']),
};
const given = arg('--nats-url');
const system = given ? undefined : await ownSystem();
const natsUrl = given ?? system!.url;
try {
  result.nats = given ? 'given' : 'embedded nats-server, process-control service, no stack handler';
  result.control_processes = await time([BIN, 'control', 'processes', '--nats-url', natsUrl]);
  result.orders_view_instrument = await time([BIN, 'orders', 'view', 'instrument', '--nats-url', natsUrl]);
} finally {
  await system?.stop();
  rmSync(cwd, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(result)}\n`);
