// The embedded nats-server with generated credentials and role permissions (docs/security.md),
// against a real nats-server: anonymous clients are refused; a read-only client and the
// operator cannot forge a fill or delete a stream; only the stack handler's role writes fills.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Service } from '@nats-io/services';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlSubject, startControlService } from '../../actors/supervisor/control-service.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { LeaderStepdownError, stepDownStreamLeader } from '../../actors/supervisor/leader-placement.ts';
import { OrderEventStore } from '../../actors/store/order-event-store.ts';
import { ensureOrderRequestStream, requestInstrumentOrder } from '../../actors/stack/order-requests.ts';
import { connectNats } from '../../src/bus/connection.ts';
import {
  authDir,
  ensureRoleCredentials,
  type NatsUserCredentials,
  roleCredentialsFile,
  writeServerAuthConfig,
} from '../../src/bus/credentials.ts';
import { type EmbeddedNats, startEmbeddedNats } from '../../src/bus/embedded.ts';
import type { Role } from '../../src/bus/roles.ts';
import { CONTROL_ENDPOINTS } from '../../src/bus/schemas/process-control.ts';
import { callService } from '../../src/bus/service.ts';
import { streamName } from '../../src/bus/subjects.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { resolveControlConfig } from '../../src/domain/process-control/config.ts';
import { SHIPPED_CONTROL_CONFIG } from '../../src/domain/process-control/shipped.ts';
import { queryLogs } from '../../src/log/query.ts';
import { ensureLogStream } from '../../src/log/ship.ts';
import { testLogger } from '../supervisor/helpers.ts';

const P = 'au';
const FILLS = streamName(P, 'FILLS');
let dir: string;
let server: EmbeddedNats;
let users: Record<Role, NatsUserCredentials>;
let svc: Service;
const conns: NatsConnection[] = [];

async function as(role: Role): Promise<NatsConnection> {
  const u = users[role];
  const nc = await connectNats({ url: server.url, name: `test-${role}`, user: u.user, pass: u.password });
  conns.push(nc);
  return nc;
}

const fillCount = async (nc: NatsConnection) =>
  (await (await jetstreamManager(nc)).streams.info(FILLS)).state.messages;

/** What a client can do to a fill, a mutating service and the fills stream. */
async function attempts(nc: NatsConnection) {
  const jsm = await jetstreamManager(nc);
  const settle = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
  return {
    fill: await settle(jetstream(nc).publish(`${P}.fills.GOLD`, '{"qty":100}', { timeout: 5000 })),
    setStatus: await settle(
      callService(
        nc,
        controlSubject(P, CONTROL_ENDPOINTS.setStatus),
        { process: 'all', status: 'STOP' },
        5000,
      ),
    ),
    deleteStream: await settle(jsm.streams.delete(FILLS)),
    purgeLogs: await settle(jsm.streams.purge(streamName(P, 'logs'))),
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'systack-auth-'));
  const conf = writeServerAuthConfig(dir, P);
  users = ensureRoleCredentials(dir);
  server = await startEmbeddedNats({
    storeDir: join(dir, 'js'),
    portsDir: dir,
    configFile: conf,
    readyAuth: { user: users.admin.user, pass: users.admin.password },
  });
  // The system as it runs: the stack's streams, the log stream, the process-control service.
  const supervisor = await as('supervisor');
  await ensureLogStream(supervisor, P);
  const store = await ProcessStore.open(supervisor, P);
  svc = await startControlService({
    nc: supervisor,
    prefix: P,
    store,
    control: resolveControlConfig(SHIPPED_CONTROL_CONFIG),
    clock: new SimulatedClock(Date.parse('2026-11-20T20:30:00Z')),
    host: 'h1',
    log: testLogger().log,
  });
  await OrderEventStore.open(await as('stack'), P);
}, 60_000);

afterAll(async () => {
  await svc?.stop();
  for (const nc of conns) await nc.close().catch(() => undefined);
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('embedded nats-server authentication and roles', () => {
  it('keeps the generated credentials private (files mode 600, directory 700)', async () => {
    expect((await stat(authDir(dir))).mode & 0o777).toBe(0o700);
    expect((await stat(roleCredentialsFile(dir, 'operator'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(authDir(dir), 'server.conf'))).mode & 0o777).toBe(0o600);
    // Generated once: the same passwords on the next start.
    expect(ensureRoleCredentials(dir).stack.password).toBe(users.stack.password);
  });

  it('refuses an anonymous client and a wrong password', async () => {
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow(/Authorization/);
    await expect(
      connect({ servers: server.url, reconnect: false, user: 'stack', pass: 'guessed-password' }),
    ).rejects.toThrow(/Authorization/);
  });

  it('a read-only client reads but cannot publish a fill, call a mutating service or delete a stream', async () => {
    const admin = await as('admin');
    const before = await fillCount(admin);
    const monitor = await as('monitor');
    const tried = await attempts(monitor);
    expect(tried.fill).toMatch(/Permissions Violation for Publish to "au\.fills\.GOLD"/);
    expect(tried.setStatus).toMatch(/Permissions Violation/);
    expect(tried.deleteStream).toMatch(/Permissions Violation.*STREAM\.DELETE/);
    expect(tried.purgeLogs).toMatch(/Permissions Violation.*STREAM\.PURGE/);
    expect(await fillCount(admin)).toBe(before);
    const store = await ProcessStore.open(admin, P);
    expect(await store.getStatus('run_systems')).toBe('GO');
    // Reading works: stream info, KV, the read-only service endpoint.
    expect(await fillCount(monitor)).toBe(before);
    expect(await (await ProcessStore.open(monitor, P)).getStatus('run_systems')).toBe('GO');
    const rows = await callService<Array<{ name: string }>>(
      monitor,
      controlSubject(P, CONTROL_ENDPOINTS.list),
      {},
    );
    expect(rows.map((r) => r.name)).toContain('run_stack_handler');
    // The monitor page's critical log lines, read from the log stream by the read-only role.
    const line = { level: 55, time: new Date().toISOString(), process: 'run_x', msg: 'went wrong' };
    await jetstream(await as('process')).publish(`${P}.logs.run_x.critical`, JSON.stringify(line));
    expect((await queryLogs(monitor, P, { level: 'critical' })).map((l) => l.msg)).toEqual(['went wrong']);
  });

  it('the operator calls command services but cannot forge a fill or delete a stream', async () => {
    const admin = await as('admin');
    const before = await fillCount(admin);
    const tried = await attempts(await as('operator'));
    expect(tried.fill).toMatch(/Permissions Violation/);
    expect(tried.setStatus).toBe('ok');
    expect(tried.deleteStream).toMatch(/Permissions Violation/);
    expect(tried.purgeLogs).toMatch(/Permissions Violation/);
    expect(await fillCount(admin)).toBe(before);
    expect(await (await ProcessStore.open(admin, P)).getStatus('run_systems')).toBe('STOP');
  });

  it('only the stack handler role writes fills; no role but admin deletes a stream', async () => {
    const admin = await as('admin');
    const before = await fillCount(admin);
    const stack = await OrderEventStore.open(await as('stack'), P);
    expect((await stack.appendFill('GOLD', 'exec-1', { qty: 1 })).duplicate).toBe(false);
    expect(await fillCount(admin)).toBe(before + 1);
    for (const role of ['stack', 'process', 'broker', 'orders', 'cleaner', 'supervisor'] as const) {
      const jsm = await jetstreamManager(await as(role));
      await expect(jsm.streams.delete(FILLS), role).rejects.toThrow(/Permissions Violation/);
    }
    for (const role of ['process', 'broker', 'orders', 'cleaner', 'supervisor', 'operator'] as const) {
      const js = jetstream(await as(role));
      await expect(js.publish(`${P}.fills.GOLD`, '{}'), role).rejects.toThrow(/Permissions Violation/);
    }
    // The log cleaner purges old log lines; nobody else may.
    const cleaner = await jetstreamManager(await as('cleaner'));
    expect((await cleaner.streams.purge(streamName(P, 'logs'))).success).toBe(true);
    const adminJsm = await jetstreamManager(admin);
    await adminJsm.streams.add({ name: 'AU_SCRATCH', subjects: ['au-scratch.>'] });
    expect(await adminJsm.streams.delete('AU_SCRATCH')).toBe(true);
  });

  it("only the supervisor (and admin) may ask a stream's leader to step down (leader placement)", async () => {
    for (const role of ['stack', 'process', 'broker', 'orders', 'cleaner', 'operator', 'monitor'] as const)
      await expect(stepDownStreamLeader(await as(role), FILLS), role).rejects.toThrow(
        /Permissions Violation/,
      );
    // Allowed: on a single server JetStream itself answers that it is not clustered.
    await expect(stepDownStreamLeader(await as('supervisor'), FILLS)).rejects.toThrow(LeaderStepdownError);
  });

  it('only the stack handler role removes a message of the order-request queue (acked leftovers)', async () => {
    const stream = await ensureOrderRequestStream(await as('stack'), P);
    const req = { strategy_name: 'ewmac', instrument_code: 'GOLD', trade: 1 };
    const { seq } = await requestInstrumentOrder(await as('orders'), P, req, 'auth-leftover-1');
    const orders = await jetstreamManager(await as('orders'));
    await expect(orders.streams.deleteMessage(stream, seq, false)).rejects.toThrow(/Permissions Violation/);
    const stack = await jetstreamManager(await as('stack'));
    expect(await stack.streams.deleteMessage(stream, seq, false)).toBe(true);
  });

  it("a role may subscribe only to what it needs: no role answers in place of another role's service", async () => {
    /** The error a subscription gets from the server, or 'ok' when it was accepted. */
    const trySubscribe = async (nc: NatsConnection, subj: string): Promise<string> => {
      const refused = new Promise<string>((resolve) => {
        nc.subscribe(subj, {
          callback: (err) => {
            if (err) resolve(err.message);
          },
        });
      });
      // A round trip after the SUB: a refusal has arrived by the time the flush returns.
      await nc.flush();
      return Promise.race([refused, nc.flush().then(() => 'ok')]);
    };
    const refusals: Array<[Role, string]> = [
      ['operator', `${P}.orders.>`],
      ['process', `${P}.orders.fill.broker`],
      ['orders', `${P}.control.process.set_status`],
      ['broker', `${P}.control.trade_limits.>`],
      ['cleaner', `${P}.fills.>`],
      ['monitor', `${P}.control.process.list`],
      ['stack', `${P}.control.process.>`],
      ['supervisor', `${P}.orders.>`],
      ['broker', `${P}.order.*.*`],
      ['process', '>'],
    ];
    for (const [role, subj] of refusals) {
      expect(await trySubscribe(await as(role), subj), `${role} ${subj}`).toMatch(
        /Permissions Violation for Subscription/,
      );
    }
    const allowed: Array<[Role, string]> = [
      ['stack', `${P}.orders.view.instrument`],
      // The stack handler serves every order actor's address (actors/stack/addresses.ts).
      ['stack', `${P}.order.*.*`],
      ['stack', `${P}.control.trade_limits.list`],
      ['supervisor', `${P}.control.process.list`],
      ['supervisor', `${P}.logs.*.critical`],
      ['operator', `${P}.logs.>`],
      ['process', `${P}.capital.show`],
    ];
    for (const [role, subj] of allowed)
      expect(await trySubscribe(await as(role), subj), `${role} ${subj}`).toBe('ok');
    // An impostor of the process-control service is never asked: only the real one answers.
    const impostor = await as('process');
    let asked = 0;
    impostor.subscribe(controlSubject(P, CONTROL_ENDPOINTS.list), {
      callback: (err) => {
        if (!err) asked++; // the refusal itself comes here as an error
      },
    });
    await impostor.flush();
    const rows = await callService<unknown[]>(
      await as('operator'),
      controlSubject(P, CONTROL_ENDPOINTS.list),
      {},
    );
    expect(rows.length).toBeGreaterThan(0);
    expect(asked).toBe(0);
  });

  it('a stream outside the catalogue cannot be created (its republish would bypass permissions)', async () => {
    const jsm = await jetstreamManager(await as('operator'));
    await expect(
      jsm.streams.add({
        name: 'AU_EVIL',
        subjects: [`${P}.evil.>`],
        republish: { src: `${P}.evil.x`, dest: `${P}.fills.GOLD` },
      }),
    ).rejects.toThrow(/Permissions Violation/);
  });
});
