// Leases judged on the observer's monotonic clock only (issue 17 §4): a wall clock set back
// 243 s (libfaketime in the chaos suite did it) neither delays a relaunch nor makes a live
// holder look dead; a standby takes over only once it has seen the leader key unrenewed for
// the stale time, and an active supervisor that cannot renew steps down.
import { Kvm } from '@nats-io/kv';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChildExit, ChildLauncher } from '../../actors/supervisor/children.ts';
import { LeaseAges } from '../../actors/supervisor/lease-ages.ts';
import { acquireLeadership, LEADER_KEY } from '../../actors/supervisor/leadership.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { Supervisor } from '../../actors/supervisor/supervisor.ts';
import { type MonotonicClock, SimulatedClock } from '../../src/clock.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { proc, testLogger } from './helpers.ts';

class ManualMonotonic implements MonotonicClock {
  private t = 0;
  elapsed(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => nats?.stop());
afterEach(() => vi.useRealTimers());

const JUMP_BACK_MS = 243_000;
const STALE_MS = 3000;

function fixture(store: ProcessStore, mono: ManualMonotonic) {
  const launched: string[] = [];
  const launch: ChildLauncher = (name) => {
    launched.push(name);
    return {
      pid: 4_000_000 + launched.length,
      exited: new Promise<ChildExit>(() => undefined),
      kill: () => {},
    };
  };
  const clock = new SimulatedClock(Date.parse('2026-11-20T12:00:00Z'));
  const sup = new Supervisor({
    store,
    control: {
      timeZone: 'UTC',
      processes: { run_x: proc('run_x', { restart: { mode: 'on-crash', maxRestarts: 2 } }) },
    },
    clock,
    host: 'h-standby',
    launch,
    childEnv: {},
    log: testLogger().log,
    staleAfterMs: STALE_MS,
    ages: new LeaseAges(mono),
  });
  return { sup, launched, clock };
}

const holder = (heartbeatAt: number) => ({
  owner: 'h-old:77:0',
  pid: 77,
  host: 'h-old',
  acquiredAt: heartbeatAt,
  heartbeatAt,
});

describe('leases on the monotonic clock', () => {
  it('a wall clock jump back of 243 s: the dead holder is relaunched after the stale time, not 243 s later', async () => {
    const store = await ProcessStore.open(await nats.connect('jump'), 'lc1');
    const mono = new ManualMonotonic();
    const { sup, launched, clock } = fixture(store, mono);
    const r = await store.acquireLease('run_x', holder(Date.now()));
    expect(r.ok).toBe(true);
    await sup.tick();
    expect(launched).toEqual([]);
    expect(sup.reasons.get('run_x')).toBe('already running');

    // The wall clock (and the trading clock anchored on it) goes back 243 s.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - JUMP_BACK_MS);
    clock.set(clock.now() - JUMP_BACK_MS);

    mono.advance(STALE_MS - 1);
    await sup.tick();
    expect(launched).toEqual([]);
    expect((await store.getLease('run_x'))?.pid).toBe(77);

    mono.advance(2);
    await sup.tick();
    expect(launched).toEqual(['run_x']);
    expect(await store.getLease('run_x')).toBeUndefined();
    const rec = await store.getRecord('run_x');
    expect(rec).toMatchObject({
      lastOutcome: 'crashed',
      recentlyCrashed: true,
      lastReason: 'heartbeat stale for 3 s',
    });
  });

  it('a live holder whose clock went back 243 s keeps renewing: never judged dead, nothing relaunched', async () => {
    const store = await ProcessStore.open(await nats.connect('live'), 'lc2');
    const mono = new ManualMonotonic();
    const { sup, launched } = fixture(store, mono);
    const lease = holder(Date.now() - JUMP_BACK_MS);
    const r = await store.acquireLease('run_x', lease);
    if (!r.ok) throw new Error('lease held');
    let revision = r.revision;
    for (let i = 0; i < 6; i++) {
      await sup.tick();
      mono.advance(STALE_MS - 500);
      revision = (await store.heartbeat(
        'run_x',
        { ...lease, heartbeatAt: lease.heartbeatAt + i },
        revision,
      ))!;
      expect(revision).toBeGreaterThan(0);
    }
    await sup.tick();
    expect(launched).toEqual([]);
    expect((await store.getLease('run_x'))?.revision).toBe(revision);
    expect((await store.getRecord('run_x')).recentlyCrashed).toBe(false);
  });

  it('a standby takes the leader key only after seeing it unrenewed for the stale time, whatever its heartbeatAt says', async () => {
    const nc = await nats.connect('standby');
    const kv = await new Kvm(nc).create('LC3_PROCESS_CONTROL');
    const active = { host: 'h-a', pid: 1, since: 0, heartbeatAt: Date.now() - JUMP_BACK_MS };
    let rev = await kv.create(LEADER_KEY, JSON.stringify(active));
    const mono = new ManualMonotonic();
    let looks = 0;
    const RENEWING_LOOKS = 8;
    const leadership = await acquireLeadership(kv, {
      host: 'h-b',
      pid: 2,
      staleAfterMs: STALE_MS,
      mono,
      pollMs: 5,
      whileStandby: async () => {
        looks++;
        if (looks <= RENEWING_LOOKS) rev = await kv.update(LEADER_KEY, JSON.stringify(active), rev);
        mono.advance(1000);
      },
    });
    const e = await kv.get(LEADER_KEY);
    expect(e?.json<{ host: string }>().host).toBe('h-b');
    // The last renewal was seen at look RENEWING_LOOKS + 1; 1 s passes per look.
    expect(looks).toBe(RENEWING_LOOKS + 1 + STALE_MS / 1000);
    await leadership.release();
    expect((await kv.get(LEADER_KEY))?.operation).not.toBe('PUT');
  });

  it('an active supervisor that cannot renew (its bus up, the bucket gone) steps down', async () => {
    const nc = await nats.connect('fence');
    const kv = await new Kvm(nc).create('LC4_PROCESS_CONTROL');
    const leadership = await acquireLeadership(kv, {
      host: 'h-a',
      pid: 1,
      staleAfterMs: 1000,
      busUp: () => true,
    });
    await kv.destroy();
    const why = await leadership.lost;
    expect(why).toMatch(
      /^leadership not renewed for \d+ s \(the cluster does not commit it\): a standby may be taking over$/,
    );
  }, 20_000);
});
