// Echo files: a process's output in <echo_directory>/<process><echo_extension>, yesterday's file
// renamed with its date when the process is launched again, and run_cleaners' clean_echo_files
// renaming old echo files and deleting those older than echo_retention_days.
import {
  closeSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productionRegistry } from '../../actors/process-methods.ts';
import { oneOffMethodContext } from '../../actors/process-methods/types.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import { openEchoFile } from '../../src/log/echo-files.ts';
import { createRootLogger } from '../../src/log/logger.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

const DAY = 86_400_000;
// mid-day UTC so "yesterday" and "today" are unambiguous whatever the wall time
const NOW = Math.floor(Date.now() / DAY) * DAY + 12 * 3_600_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
let nats: TestNats;

function file(dir: string, name: string, mtime: number, text = 'x\n'): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  utimesSync(path, mtime / 1000, mtime / 1000);
  return path;
}

beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => nats?.stop());

describe('echo files', () => {
  it("a launch appends to today's echo file and renames yesterday's with its date", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'systack-echo-'));
    file(dir, 'run_reports.txt', NOW - DAY, 'yesterday\n');
    const fd = openEchoFile(dir, 'run_reports', '.txt', NOW);
    writeSync(fd, 'today\n');
    closeSync(fd);
    expect(readFileSync(join(dir, `run_reports.txt.${day(NOW - DAY)}`), 'utf8')).toBe('yesterday\n');
    expect(readFileSync(join(dir, 'run_reports.txt'), 'utf8')).toBe(
      `--- run_reports launched ${new Date(NOW).toISOString()} ---\ntoday\n`,
    );
    // launched again the same day: appended, nothing renamed
    closeSync(openEchoFile(dir, 'run_reports', '.txt', NOW + 60_000));
    expect(readdirSync(dir).sort()).toEqual(['run_reports.txt', `run_reports.txt.${day(NOW - DAY)}`]);
    expect(readFileSync(join(dir, 'run_reports.txt'), 'utf8').split('launched').length).toBe(3);
  });

  it('run_cleaners renames old echo files and deletes those older than echo_retention_days', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'systack-echo-clean-'));
    file(dir, 'run_stack_handler.txt', NOW - 60_000); // today: kept as is
    file(dir, 'run_capital_update.txt', NOW - DAY); // yesterday: renamed
    file(dir, `run_systems.txt.${day(NOW - 2 * DAY)}`, NOW - 2 * DAY); // within 3 days: kept
    file(dir, `run_systems.txt.${day(NOW - 4 * DAY)}`, NOW - 4 * DAY); // older: deleted
    const system = { ...loadConfig().system, echo_directory: dir, echo_retention_days: 3 };
    const nc = await nats.connect();
    const lines: Array<{ msg: string; renamed?: number; deleted?: number; days?: number }> = [];
    const log = createRootLogger({
      processName: 'run_cleaners',
      destination: { write: (s: string) => lines.push(JSON.parse(s) as (typeof lines)[number]) },
    }).log;
    await productionRegistry.run_cleaners!.clean_echo_files!(
      oneOffMethodContext({
        process: 'run_cleaners',
        method: 'clean_echo_files',
        clock: new SimulatedClock(NOW),
        nc,
        prefix: 'echo',
        system,
        log,
      }),
    );
    expect(readdirSync(dir).sort()).toEqual(
      [
        `run_capital_update.txt.${day(NOW - DAY)}`,
        'run_stack_handler.txt',
        `run_systems.txt.${day(NOW - 2 * DAY)}`,
      ].sort(),
    );
    expect(existsSync(join(dir, `run_systems.txt.${day(NOW - 4 * DAY)}`))).toBe(false);
    expect(lines.find((l) => l.msg === 'cleaned echo files')).toMatchObject({
      renamed: 1,
      deleted: 1,
      days: 3,
    });
  });
});
