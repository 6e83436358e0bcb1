// Email through a local SMTP server on loopback (smtp-server): critical alerts, the 24-hour
// de-duplication (stored, not sent), retry after the server comes back, report emails from
// run_reports, and `systack email list|show`.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productionRegistry } from '../../actors/process-methods.ts';
import { oneOffMethodContext } from '../../actors/process-methods/types.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadConfig, type ResolvedSystemConfig } from '../../src/config/load.ts';
import { attachEmailAlerts } from '../../src/email/alerts.ts';
import { DUPLICATE_WINDOW_MS, type EmailSender } from '../../src/email/sender.ts';
import { createRootLogger, type RootLogger } from '../../src/log/logger.ts';
import { EmailStore } from '../../src/store/email-store.ts';
import { runSystack } from '../support/cli.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const PREFIX = 'mail';
const T = Date.UTC(2026, 10, 20, 21, 0);
let nats: TestNats;
let nc: NatsConnection;
let smtp: SMTPServer | undefined;
let port = 0;
const received: Array<{ to: string[]; raw: string }> = [];
const lines: Array<{ msg: string; level_name: string; subject?: string }> = [];
const clock = new SimulatedClock(T);
let root: RootLogger;
let sender: EmailSender;
let system: ResolvedSystemConfig;

function startSmtp(at = 0): Promise<void> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth: (_auth, _session, cb) => cb(null, { user: 'me' }),
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  smtp = server;
  return new Promise((resolve) => {
    server.listen(at, '127.0.0.1', () => {
      port = (server.server.address() as AddressInfo).port;
      resolve();
    });
  });
}

const stopSmtp = () => new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
const subjects = () => received.map((m) => /^Subject: (.*)$/m.exec(m.raw)?.[1]);

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  await startSmtp();
  system = {
    ...loadConfig().system,
    echo_directory: mkdtempSync(join(tmpdir(), 'systack-mail-')),
    email_address: 'systack@example.com',
    email_pwd: 'secret-pw',
    email_server: '127.0.0.1',
    email_to: 'trader@example.com',
    email_port: port,
  };
  root = createRootLogger({
    processName: 'run_stack_handler',
    level: 'info',
    destination: { write: (s: string) => lines.push(JSON.parse(s) as (typeof lines)[number]) },
  });
  sender = (await attachEmailAlerts(root, nc, PREFIX, system, clock))!;
}, 60_000);
afterAll(async () => {
  sender?.stop();
  await stopSmtp();
  await nats?.stop();
});

describe('email', { timeout: 120_000 }, () => {
  it('a critical log sends an alert to email_to', async () => {
    root.log.critical({ instrument_code: 'GOLD' }, 'price spike GOLD');
    await sender.flush();
    expect(subjects()).toEqual(['systack critical: run_stack_handler: price spike GOLD']);
    expect(received[0]!.to).toEqual(['trader@example.com']);
    expect(received[0]!.raw).toContain('instrument_code: GOLD');
  });

  it('the same alert within 24 hours is stored, not sent; after 24 hours it is sent again', async () => {
    clock.set(T + 3_600_000);
    root.log.critical({ instrument_code: 'GOLD' }, 'price spike GOLD');
    await sender.flush();
    expect(received).toHaveLength(1);
    const stored = await (await EmailStore.open(nc, PREFIX)).stored();
    expect(stored.map((e) => [e.subject, e.reason, e.createdAt])).toEqual([
      [
        'systack critical: run_stack_handler: price spike GOLD',
        'duplicate subject within 24 h',
        T + 3_600_000,
      ],
    ]);
    clock.set(T + DUPLICATE_WINDOW_MS + 1);
    root.log.critical({ instrument_code: 'GOLD' }, 'price spike GOLD');
    await sender.flush();
    expect(received).toHaveLength(2);
  });

  it('a failed send is logged and queued, never thrown; it goes once the server is back', async () => {
    const at = port;
    await stopSmtp();
    expect(await sender.send({ subject: 'position break GOLD', text: 'ours 5, broker 4' })).toBe('queued');
    expect(lines.some((l) => l.msg === 'email not sent: queued for retry' && l.level_name === 'error')).toBe(
      true,
    );
    // the same subject while it waits: stored, not queued twice
    expect(await sender.send({ subject: 'position break GOLD', text: 'again' })).toBe('stored');
    await sender.retryPending(); // still down: stays queued
    const store = await EmailStore.open(nc, PREFIX);
    expect((await store.outbox()).map((e) => [e.subject, e.attempts])).toEqual([['position break GOLD', 3]]); // the second send retried it too
    expect(received).toHaveLength(2);

    await startSmtp(at);
    await sender.retryPending();
    expect(subjects().at(-1)).toBe('position break GOLD');
    expect(await store.outbox()).toEqual([]);
    expect(await store.lastSent('position break GOLD')).toBe(clock.now());
  });

  it('run_reports emails its report: HTML body, text fallback, the HTML file with plots attached', async () => {
    const ctx = oneOffMethodContext({
      process: 'run_reports',
      method: 'account_curve_report',
      clock,
      nc,
      prefix: PREFIX,
      system,
      log: root.log,
    });
    await productionRegistry.run_reports!.account_curve_report!(ctx);
    const mail = received.at(-1)!.raw;
    expect(subjects().at(-1)).toMatch(/^Account curve report — generated 2026-11-21 21:00 UTC|=\?UTF-8\?/);
    expect(mail).toContain('Content-Type: text/plain');
    expect(mail).toContain('Content-Type: text/html');
    expect(mail).toMatch(/filename=account_curve_report_20261121-2100\.html/);
  });

  it('systack email list and show: show prints the stored emails and deletes them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'systack-mail-cli-'));
    mkdirSync(join(dir, 'private'));
    writeFileSync(join(dir, 'private', 'private_config.yaml'), `subject_prefix: ${PREFIX}\n`);
    const cli = (args: string[]) =>
      runSystack([...args, '--nats-url', nats.url], { cwd: dir, privateDir: join(dir, 'private') });
    const list = await cli(['email', 'list', '--json']);
    expect(list.code).toBe(0);
    expect(
      (JSON.parse(list.stdout) as Array<{ state: string; subject: string }>).map((r) => [r.state, r.subject]),
    ).toEqual([
      ['stored', 'systack critical: run_stack_handler: price spike GOLD'],
      ['stored', 'position break GOLD'],
    ]);
    const show = await cli(['email', 'show']);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('Subject: position break GOLD');
    expect(show.stdout).toContain('Stored: duplicate subject within 24 h');
    expect(await (await EmailStore.open(nc, PREFIX)).stored()).toEqual([]);
  });
});
