/**
 * What `systack control processes` loads (issue 14 §2: a NATS query under 400 ms): the compiled
 * CLI is run under a module-load hook against a real nats-server with the process-control
 * service, and the files it loaded are listed (the bundle files by what they were built from). The `control` group's other subcommands (limits,
 * overrides, trade limits, client ids) load their stores and actors only when they run, and a
 * view loads neither the log shipping, the email alerts, the storage backend nor pino.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlService } from '../../actors/supervisor/control-service.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { wallClock } from '../../src/clock.ts';
import { resolveControlConfig } from '../../src/domain/process-control/config.ts';
import { SHIPPED_CONTROL_CONFIG } from '../../src/domain/process-control/shipped.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { testLogger } from '../supervisor/helpers.ts';

const BIN = join(process.cwd(), 'bin/systack.js');
const BUNDLE = pathToFileURL(join(process.cwd(), 'dist/bundle')).href;
let nats: TestNats;
let nc: NatsConnection;
let service: { stop(): Promise<unknown> };
let dir: string;

/** A hook (in the loader thread) appending every loaded module's URL to $MODULE_LOG. */
const HOOKS = `data:text/javascript,${encodeURIComponent(
  `import { appendFileSync } from 'node:fs';
   export async function load(url, context, next) {
     appendFileSync(process.env.MODULE_LOG, url + '\\n');
     return next(url, context);
   }`,
)}`;
const REGISTER = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(HOOKS)});`,
)}`;

/** The CLI bundle's files (dist/bundle/, scripts/bundle-cli.mjs) and what each was built from. */
function bundleInputs(): Map<string, string[]> {
  const meta = JSON.parse(readFileSync('dist/bundle/meta.json', 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, unknown> }>;
  };
  return new Map(Object.entries(meta.outputs).map(([out, o]) => [out, Object.keys(o.inputs)]));
}

/**
 * Run `systack <args>`: its exit code, stdout, and what it loaded: the compiled modules (paths
 * under dist/) and the packages, those in the bundle files it loaded (by the bundle's metafile)
 * and those loaded from node_modules.
 */
function loaded(
  args: string[],
): Promise<{ code: number | null; stdout: string; modules: string[]; packages: string[] }> {
  const log = join(dir, `modules-${Date.now()}.txt`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', REGISTER, BIN, ...args], {
      cwd: dir,
      env: { ...process.env, SYSTACK_PRIVATE_DIR: dir, MODULE_LOG: log },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.resume();
    child.once('error', reject);
    child.once('close', (code) => {
      const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      const inputs = bundleInputs();
      const files = urls.flatMap((u) =>
        u.startsWith(BUNDLE) ? (inputs.get(`dist/bundle${u.slice(BUNDLE.length)}`) ?? []) : [u],
      );
      const modules = files.flatMap((f) => (f.startsWith('dist/') ? [f.slice('dist/'.length)] : []));
      const packages = files.flatMap((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1] ?? []);
      resolve({ code, stdout, modules: [...new Set(modules)], packages: [...new Set(packages)] });
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'systack-cli-modules-'));
  nats = await startTestNats();
  nc = await nats.connect('cli-modules');
  service = await startControlService({
    nc,
    prefix: 'systack',
    store: await ProcessStore.open(nc, 'systack'),
    control: resolveControlConfig(SHIPPED_CONTROL_CONFIG),
    clock: wallClock,
    host: 'h1',
    log: testLogger().log,
  });
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await nats?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('systack control processes', () => {
  it('answers from the service, loading no store, actor, log shipping or email module', async () => {
    const r = await loaded(['control', 'processes', '--json', '--nats-url', nats.url]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ name: string }>;
    expect(rows.map((x) => x.name)).toContain('run_stack_handler');
    expect(r.modules).toContain('src/cli/commands/control.js');
    // The rest of the group is registered (its help lists it) but not run: none of its modules.
    const heavy = r.modules.filter(
      (m) =>
        m.startsWith('actors/') ||
        m.startsWith('src/email/') ||
        m === 'src/log/ship.js' ||
        m === 'src/store/backend.js' ||
        m === 'src/store/broker-client-ids.js' ||
        m === 'src/store/trade-limits-store.js' ||
        m === 'src/store/controls-store.js',
    );
    expect(heavy).toEqual([]);
    // A service request needs no JetStream client (the storage catalogue's names load none) and
    // no services client (that serves endpoints): the core client's request.
    expect(r.packages).toContain('@nats-io/nats-core');
    expect(r.packages.filter((p) => /^@nats-io\/(jetstream|kv|obj|services)$/.test(p))).toEqual([]);
    // It logs nothing, so no logger is built: pino is not loaded.
    expect(r.packages.filter((p) => p.startsWith('pino'))).toEqual([]);
  }, 60_000);
});
