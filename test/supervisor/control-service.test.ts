import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlSubject, startControlService } from '../../actors/supervisor/control-service.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { CONTROL_ENDPOINTS, type ProcessRow } from '../../src/bus/schemas/process-control.ts';
import { callService, ServiceError } from '../../src/bus/service.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { resolveControlConfig } from '../../src/domain/process-control/config.ts';
import { SHIPPED_CONTROL_CONFIG } from '../../src/domain/process-control/shipped.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { testLogger } from './helpers.ts';

let nats: TestNats;
let nc: NatsConnection;
let store: ProcessStore;
let svc: Service;
const control = resolveControlConfig(SHIPPED_CONTROL_CONFIG);
const clock = new SimulatedClock(Date.parse('2026-11-20T20:30:00Z'));
const call = <R>(ep: string, body: unknown) => callService<R>(nc, controlSubject('ct', ep), body);

async function rejects(ep: string, body: unknown): Promise<ServiceError> {
  try {
    await call(ep, body);
  } catch (err) {
    if (err instanceof ServiceError) return err;
    throw err;
  }
  throw new Error('expected an error reply');
}

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect('ctl');
  store = await ProcessStore.open(nc, 'ct');
  svc = await startControlService({
    nc,
    prefix: 'ct',
    store,
    control,
    clock,
    host: 'h1',
    log: testLogger().log,
  });
});
afterAll(async () => {
  await svc?.stop();
  await nats?.stop();
});

describe('process control service', () => {
  it('views processes with the reference columns', async () => {
    const rows = await call<ProcessRow[]>(CONTROL_ENDPOINTS.list, {});
    expect(rows.map((r) => r.name)).toEqual(Object.keys(control.processes));
    expect(rows.find((r) => r.name === 'run_systems')).toMatchObject({
      running: false,
      status: 'GO',
      pid: null,
      previous_process: 'run_daily_prices_updates',
      window: '20:05-23:50',
      crashed: false,
    });
  });

  it('changes the status of one process and of all', async () => {
    const one = await call<ProcessRow[]>(CONTROL_ENDPOINTS.setStatus, {
      process: 'run_reports',
      status: 'NO-RUN',
    });
    expect(one.map((r) => [r.name, r.status])).toEqual([['run_reports', 'NO-RUN']]);
    expect(await store.getStatus('run_reports')).toBe('NO-RUN');
    const all = await call<ProcessRow[]>(CONTROL_ENDPOINTS.setStatus, { process: 'all', status: 'STOP' });
    expect(all.every((r) => r.status === 'STOP')).toBe(true);
    await call(CONTROL_ENDPOINTS.setStatus, { process: 'all', status: 'GO' });
    expect(await store.getStatus('run_reports')).toBe('GO');
  });

  it('bad input gets a coded error and changes nothing', async () => {
    await store.setStatus('run_backups', 'PAUSE', 0);
    const bad = await rejects(CONTROL_ENDPOINTS.setStatus, { process: 'run_backups', status: 'MAYBE' });
    expect(bad.code).toBe(400);
    expect(bad.message).toMatch(/^status:/);
    const unknown = await rejects(CONTROL_ENDPOINTS.setStatus, { process: 'all', status: 'GO', extra: 1 });
    expect(unknown.code).toBe(400);
    const missing = await rejects(CONTROL_ENDPOINTS.setStatus, { process: 'run_nothing', status: 'GO' });
    expect(missing.code).toBe(400);
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '']) {
      for (const [ep, body] of [
        [CONTROL_ENDPOINTS.setStatus, { process: name, status: 'STOP' }],
        [CONTROL_ENDPOINTS.markFinished, { process: name }],
        [CONTROL_ENDPOINTS.config, { process: name }],
      ] as const) {
        expect((await rejects(ep, body)).code, `${ep} ${name}`).toBe(400);
      }
    }
    const keys = await store.keys();
    expect(keys.filter((k) => /__proto__|constructor|toString|hasOwnProperty|\.$/.test(k))).toEqual([]);
    expect(await store.getStatus('run_backups')).toBe('PAUSE');
    expect((await rejects(CONTROL_ENDPOINTS.markFinished, { process: 'bad name!' })).code).toBe(400);
    await store.setStatus('run_backups', 'GO', 0);
  });

  it('marks a process finished (revoking its lease) and dead processes finished', async () => {
    const lease = { owner: 'o', pid: process.pid, host: 'h1', acquiredAt: 0, heartbeatAt: Date.now() };
    await store.acquireLease('run_capital_update', lease);
    const r = await call<ProcessRow & { was_running: boolean }>(CONTROL_ENDPOINTS.markFinished, {
      process: 'run_capital_update',
    });
    expect(r).toMatchObject({ name: 'run_capital_update', running: false, was_running: true });
    expect(r.last_end).toBe('2026-11-20T20:30:00.000Z');
    const again = await call<{ was_running: boolean }>(CONTROL_ENDPOINTS.markFinished, {
      process: 'run_capital_update',
    });
    expect(again.was_running).toBe(false);

    await store.acquireLease('run_reports', { ...lease, pid: 999_999 }); // no such pid on this host
    await store.acquireLease('run_backups', lease); // alive: this test process
    const dead = await call<{ marked: string[] }>(CONTROL_ENDPOINTS.markDeadFinished, {});
    expect(dead.marked).toEqual(['run_reports']);
    expect((await store.getRecord('run_reports')).recentlyCrashed).toBe(true);
    // a person marking it finished clears the crashed flag so its dependants may run
    await call(CONTROL_ENDPOINTS.markFinished, { process: 'run_reports' });
    expect((await store.getRecord('run_reports')).recentlyCrashed).toBe(false);
    expect(await store.getLease('run_backups')).toBeDefined();
  });

  it('views the process configuration', async () => {
    const [cfg] = await call<Array<{ name: string; methods: Array<{ name: string }> }>>(
      CONTROL_ENDPOINTS.config,
      {
        process: 'run_stack_handler',
      },
    );
    expect(cfg?.methods.map((m) => m.name)).toContain('safe_stack_removal');
    expect((await call<unknown[]>(CONTROL_ENDPOINTS.config, {})).length).toBe(8);
  });
});
