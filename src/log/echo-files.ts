/**
 * Echo files (production doc "Echos: stdout output", "Truncate echo files"): each process's
 * output in `<echo_directory>/<process><echo_extension>`. Files last written before today are
 * renamed with a date suffix (`run_reports.txt.20261120`) — when a process is launched and by
 * run_cleaners — and anything older than the retention is deleted. Ages are the files'
 * modification times against the caller's clock (UTC days).
 */
import { existsSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const DAY_MS = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');

export function echoPath(directory: string, process: string, extension: string): string {
  return join(resolve(directory), `${process}${extension}`);
}

/** Rename an echo file last written before `now`'s UTC day to `<file>.<YYYYMMDD>`; true if renamed. */
export function rotateEchoFile(path: string, now: number): boolean {
  if (!existsSync(path)) return false;
  const day = utcDay(statSync(path).mtimeMs);
  if (day >= utcDay(now)) return false;
  let target = `${path}.${day}`;
  for (let n = 1; existsSync(target); n++) target = `${path}.${day}.${n}`;
  renameSync(path, target);
  return true;
}

/** Open (append) the process's echo file after rotating yesterday's; writes a launch line. */
export function openEchoFile(directory: string, process: string, extension: string, now: number): number {
  mkdirSync(resolve(directory), { recursive: true });
  const path = echoPath(directory, process, extension);
  rotateEchoFile(path, now);
  const fd = openSync(path, 'a');
  writeSync(fd, `--- ${process} launched ${new Date(now).toISOString()} ---\n`);
  return fd;
}

/**
 * run_cleaners: echo files (`*<extension>`) from before today are renamed with their date, and
 * every file in the directory older than `keepDays` is deleted.
 */
export async function cleanEchoDirectory(
  directory: string,
  extension: string,
  now: number,
  keepDays: number,
): Promise<{ renamed: number; deleted: number }> {
  const dir = resolve(directory);
  let renamed = 0;
  let deleted = 0;
  if (!existsSync(dir)) return { renamed, deleted };
  for (const f of await readdir(dir)) {
    const path = join(dir, f);
    const s = await stat(path);
    if (!s.isFile()) continue;
    if (now - s.mtimeMs > keepDays * DAY_MS) {
      await rm(path);
      deleted++;
      continue;
    }
    const day = utcDay(s.mtimeMs);
    if (f.endsWith(extension) && day < utcDay(now)) {
      let target = `${path}.${day}`;
      for (let n = 1; existsSync(target); n++) target = `${path}.${day}.${n}`;
      await rename(path, target);
      renamed++;
    }
  }
  return { renamed, deleted };
}
