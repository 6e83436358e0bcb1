import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(process.cwd(), 'bin/systack.js');

/** `systack <args>` run from a fresh directory (not the package's) with its own private dir. */
function systackIn(args: string[], privateYaml = '') {
  const cwd = mkdtempSync(join(tmpdir(), 'systack-start-'));
  const priv = join(cwd, 'private');
  mkdirSync(priv);
  if (privateYaml) writeFileSync(join(priv, 'private_config.yaml'), privateYaml);
  const started = Date.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: { ...process.env, SYSTACK_PRIVATE_DIR: priv },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stderr: r.stderr, cwd, seconds: (Date.now() - started) / 1000 };
}

/** nats-server processes whose arguments mention `dir` (an embedded server left behind). */
function natsServersUnder(dir: string): string[] {
  const r = spawnSync('pgrep', ['-af', 'nats-server'], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.includes(dir));
}

const failures: Record<string, number> = {};

describe('systack start fails well, from any directory', () => {
  let held: Server;
  let port = 0;
  beforeAll(async () => {
    held = createServer();
    await new Promise<void>((done) => held.listen(0, '127.0.0.1', done));
    port = (held.address() as { port: number }).port;
  });
  afterAll(() => {
    held.close();
    // elapsed wall time of each failure, for the record (no timed assertion)
    process.stdout.write(`${JSON.stringify({ start_failure_seconds: failures })}\n`);
  });

  it('monitor port in use: one line naming the port, exit 1, no nats-server left', () => {
    const r = systackIn(['start', '--monitor-port', String(port), '--days', '1']);
    failures.port_in_use = r.seconds;
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `systack: monitor port ${port} on 127.0.0.1 is in use: stop what holds it, or set monitor_port in private_config.yaml, or pass --monitor-port N (or --no-monitor)`,
    ]);
    expect(natsServersUnder(r.cwd)).toEqual([]);
  });

  it('unreachable external NATS: one line naming the server, exit 1', () => {
    const r = systackIn(['start', '--no-monitor'], `nats_url: nats://127.0.0.1:${port}\n`);
    failures.unreachable_nats = r.seconds;
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^systack: cannot reach NATS at nats://127\\.0\\.0\\.1:${port} \\(nats_url in the configuration\\): `,
      ),
    );
  });

  it('an unknown key inside a strategy backtest_config: file and full key path, in config check and start', () => {
    const yaml = [
      'strategy_list:',
      '  carry_trend:',
      '    backtest_config:',
      '      trading_rules:',
      '        ewmac8: { type: ewmac, lfast: 8, lslow: 32, lsloww: 3 }',
      '',
    ].join('\n');
    for (const args of [
      ['config', 'check'],
      ['start', '--no-monitor'],
    ]) {
      const r = systackIn(args, yaml);
      failures[`nested_config_${args[0]}`] = r.seconds;
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(
        `systack: ${join(r.cwd, 'private', 'private_config.yaml')}: key 'strategy_list.carry_trend.backtest_config.trading_rules.ewmac8.lsloww': unknown key (not a systack setting)`,
      );
      expect(readdirSync(r.cwd)).toEqual(['private']); // nothing started, no data directory made
    }
  });

  it('SYSTACK_PRIVATE_DIR naming no directory is an error', () => {
    const r = spawnSync(process.execPath, [BIN, 'config', 'check'], {
      env: { ...process.env, SYSTACK_PRIVATE_DIR: '/nonexistent/systack-private' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      'systack: SYSTACK_PRIVATE_DIR=/nonexistent/systack-private: not a directory (unset it to use ./private)',
    );
  });

  it('a failure after the embedded nats-server started stops it (missing sample data)', async () => {
    const r = systackIn(
      ['start', '--no-monitor', '--data-dir', 'state'],
      'sample_data_dir: /nonexistent/sample\n',
    );
    failures.missing_sample_data = r.seconds;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/nonexistent/sample');
    expect(readdirSync(r.cwd).sort()).toEqual(['private', 'state']); // --data-dir used, relative to the cwd
    expect(natsServersUnder(r.cwd)).toEqual([]);
  });
});
