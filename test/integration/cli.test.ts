import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function systack(args: string[], env: Record<string, string> = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'systack-cli-'));
  const r = spawnSync(process.execPath, [join(process.cwd(), 'bin/systack.js'), ...args], {
    cwd,
    env: { ...process.env, SYSTACK_PRIVATE_DIR: cwd, ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('systack CLI', () => {
  it('--help lists the commands and exits 0', () => {
    const r = systack(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['start', 'status', 'config', 'logs', 'clean'])
      expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  });

  it('an unknown command is a usage error: exit 2 with a one-line reason', () => {
    const r = systack(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it('a bad option value is a usage error (exit 2)', () => {
    const r = systack(['logs', '--level', 'loud']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/loud.*invalid|invalid.*loud/i);
  });

  it('config show --json prints the merged config with secrets redacted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'systack-priv-'));
    writeFileSync(join(dir, 'private_config.yaml'), 'email_pwd: topsecret\nmax_price_spike: 5\n');
    const r = systack(['config', 'show', '--json'], { SYSTACK_PRIVATE_DIR: dir });
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(c.max_price_spike).toBe(5);
    expect(c.email_pwd).toBe('[redacted]');
    expect(r.stdout).not.toContain('topsecret');
  });

  it('an invalid config fails with exit 1 naming the file and key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'systack-priv-'));
    writeFileSync(join(dir, 'private_config.yaml'), 'ib_port: lots\n');
    const r = systack(['config', 'check'], { SYSTACK_PRIVATE_DIR: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `systack: ${join(dir, 'private_config.yaml')}: key 'ib_port': expected number`,
    );
  });

  it('a command that needs the running system says how to start it (exit 1)', () => {
    const r = systack(['status']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^systack: no running systack found in .*: start it with 'npm start'/);
  });
});
