/**
 * What the end-to-end days share: a run directory whose private config keeps every directory of
 * the run inside it, and `systack start --days 1 --json --no-monitor` run on it as a child.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { RunSummary } from '../../actors/simulation.ts';

/** The last top-level JSON object printed on stdout. */
export function lastJson(stdout: string): unknown {
  const start = stdout.lastIndexOf('\n{\n');
  return JSON.parse(stdout.slice(start >= 0 ? start + 1 : stdout.indexOf('{')));
}

export interface RunDirectory {
  /** The run's directory: data, backtests, backups and echos are under it. */
  dir: string;
  /** Its private config directory (SYSTACK_PRIVATE_DIR). */
  priv: string;
}

/**
 * A fresh run directory: `private/private_config.yaml` puts the data, backtests, backups and
 * echos under it, logs at warn, then `config` lines; `private/private_control_config.yaml`
 * holds the `control` lines, when there are any.
 */
export function runDirectory(name: string, config: string[] = [], control: string[] = []): RunDirectory {
  const dir = mkdtempSync(join(tmpdir(), `systack-${name}-`));
  const priv = join(dir, 'private');
  mkdirSync(priv);
  writeFileSync(
    join(priv, 'private_config.yaml'),
    [
      `data_dir: ${join(dir, 'data')}`,
      `backtest_store_directory: ${join(dir, 'backtests')}`,
      `csv_backup_directory: ${join(dir, 'backup')}`,
      `mongo_dump_directory: ${join(dir, 'dump')}`,
      `offsystem_backup_directory: ${join(dir, 'offsystem')}`,
      `echo_directory: ${join(dir, 'echos')}`,
      'log_level: warn',
      ...config,
    ].join('\n'),
  );
  if (control.length) writeFileSync(join(priv, 'private_control_config.yaml'), control.join('\n'));
  return { dir, priv };
}

export interface DayRun {
  child: ChildProcess;
  /** All it printed on stdout so far. */
  stdout(): string;
  /** The last 20,000 characters it printed on stderr. */
  stderr(): string;
  /** Its exit code (null: a signal ended it). */
  exited: Promise<number | null>;
}

/** `systack start --days 1 <args> --json --no-monitor` on the run directory's private config. */
export function startDay(priv: string, args: string[], env: Record<string, string> = {}): DayRun {
  const child = spawn(
    process.execPath,
    ['bin/systack.js', 'start', '--days', '1', ...args, '--json', '--no-monitor'],
    { env: { ...process.env, SYSTACK_PRIVATE_DIR: priv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/**
 * The day's positions agree: ours are the sum of the fills, each contract's equals the broker's,
 * and each instrument's strategy position is the sum of its contract positions.
 */
export function expectPositionsReconciled(summary: RunSummary): void {
  expect(summary.positions_equal_fills).toBe(true);
  expect(summary.contract_positions.map((p) => [p.instrument_code, p.position])).toEqual(
    summary.broker_positions.map((p) => [p.instrument_code, p.position]),
  );
  const byInstrument = new Map<string, number>();
  for (const p of summary.contract_positions)
    byInstrument.set(p.instrument_code, (byInstrument.get(p.instrument_code) ?? 0) + p.position);
  for (const s of summary.strategy_positions) expect(byInstrument.get(s.instrument_code)).toBe(s.position);
}
