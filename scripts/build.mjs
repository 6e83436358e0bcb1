#!/usr/bin/env node
// Compiles systack's TypeScript (src/, actors/, machines/) to dist/ with tsc
// (tsconfig.build.json), then bundles the compiled CLI into dist/bundle/ with esbuild
// (scripts/bundle-cli.mjs: what bin/systack.js runs; a bundle starts faster than hundreds of
// files). Skips both when dist/ is newer than every source file, so `npm start` and `npm test`
// (which run it first) cost nothing when nothing changed. `--force` always builds. Exit code:
// tsc's, else the bundler's.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');
const SOURCES = [
  'src',
  'actors',
  'machines',
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
  'scripts/bundle-cli.mjs',
];

function newest(path) {
  const s = statSync(path, { throwIfNoEntry: false });
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  let max = s.mtimeMs;
  for (const e of readdirSync(path)) max = Math.max(max, newest(join(path, e)));
  return max;
}

export function isStale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return SOURCES.some((p) => newest(join(root, p)) > built);
}

export function build({ force = false, quiet = false } = {}) {
  if (!force && !isStale()) return 0;
  const started = Date.now();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) return r.status ?? 1;
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'bundle-cli.mjs')], {
    cwd: root,
    stdio: 'inherit',
  });
  if (b.status !== 0) return b.status ?? 1;
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  if (!quiet)
    process.stderr.write(
      `systack: compiled to dist/ (CLI bundle: dist/bundle/) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = build({ force: process.argv.includes('--force') });
}
