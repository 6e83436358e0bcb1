// Warm children (actors/supervisor/warm-children.ts): a standby's process started in advance waits
// for `go` on its stdin and nothing else; the supervisor that takes over says `go` to it instead of
// launching another copy.
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildExit, ChildHandle, ChildLauncher } from '../../actors/supervisor/children.ts';
import { AnchoredClock, makeAnchor } from '../../actors/supervisor/clock-sync.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { Supervisor } from '../../actors/supervisor/supervisor.ts';
import { untilGo, WarmChildren } from '../../actors/supervisor/warm-children.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { proc, testLogger, until } from './helpers.ts';

let nats: TestNats;
let store: ProcessStore;

beforeAll(async () => {
  nats = await startTestNats();
  store = await ProcessStore.open(await nats.connect('store'), 'warm');
});
afterAll(async () => nats?.stop());

describe('untilGo', () => {
  it('is true on `go`, false when stdin ends or the run is stopped first', async () => {
    const a = new PassThrough();
    const go = untilGo(a, new AbortController().signal);
    a.write('g');
    a.write('o\n');
    expect(await go).toBe(true);
    const b = new PassThrough();
    const ended = untilGo(b, new AbortController().signal);
    b.end();
    expect(await ended).toBe(false);
    const stop = new AbortController();
    const stopped = untilGo(new PassThrough(), stop.signal);
    stop.abort();
    expect(await stopped).toBe(false);
  });
});

describe('a supervisor with warm children', () => {
  it('says go to the warm child instead of launching one; unused warm children stop with it', async () => {
    // A real child that exits 0 on `go` (as `systack run` starts its run) and 3 on end of stdin.
    const script =
      "process.stdin.on('data', (d) => String(d).includes('go\\n') && process.exit(0));" +
      "process.stdin.on('end', () => process.exit(3));";
    const launched: Array<{ name: string; warm: boolean }> = [];
    const exits = new Map<string, Promise<ChildExit>>();
    const launch: ChildLauncher = (name, _env, opts) => {
      launched.push({ name, warm: opts?.warm === true });
      const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'ignore', 'inherit'] });
      const exited = new Promise<ChildExit>((r) => child.once('exit', (code, signal) => r({ code, signal })));
      exits.set(name, exited);
      return {
        pid: child.pid!,
        exited,
        kill: (s) => void child.kill(s),
        go: opts?.warm ? () => child.stdin.write('go\n') : undefined,
      } satisfies ChildHandle;
    };
    const { log, lines } = testLogger();
    const warm = new WarmChildren(launch, () => ({}), log);
    warm.ensure('run_taken');
    warm.ensure('run_taken'); // one warm child per process
    warm.ensure('run_elsewhere');
    expect(warm.names().sort()).toEqual(['run_elsewhere', 'run_taken']);
    const sup = new Supervisor({
      store,
      control: {
        timeZone: 'UTC',
        processes: { run_taken: proc('run_taken'), run_elsewhere: proc('run_elsewhere', { host: 'h2' }) },
      },
      clock: new AnchoredClock(makeAnchor(Date.parse('2026-11-20T12:00:00Z'), 1)),
      host: 'h1',
      launch,
      childEnv: {},
      log,
      tickMs: 100,
      warm,
    });
    sup.start();
    try {
      await until(() => lines.some((l) => l.msg === 'launched run_taken'), 20_000);
      expect(lines.find((l) => l.msg === 'launched run_taken')).toMatchObject({ warm: true });
      expect(await exits.get('run_taken')).toEqual({ code: 0, signal: null }); // it heard `go`
      expect(launched).toEqual([
        { name: 'run_taken', warm: true },
        { name: 'run_elsewhere', warm: true },
      ]);
    } finally {
      await sup.stop(5000);
    }
    // The warm child never taken was stopped with the supervisor, without a `go`.
    expect((await exits.get('run_elsewhere'))?.code).not.toBe(0);
    expect(warm.names()).toEqual([]);
  }, 60_000);
});
