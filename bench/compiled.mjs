#!/usr/bin/env node
// Runs a benchmark (bench/<name>.ts) on the compiled JavaScript that ships instead of through tsx:
//
//   node bench/compiled.mjs bench/orders.ts --orders 3000 --warmup 1000 --json
//
// It builds dist/ first when stale (scripts/build.mjs: tsc's output, what `systack` runs), then
// turns the benchmark file itself into JavaScript with esbuild, its imports of our sources
// (src/, actors/, machines/) pointing at their compiled files in dist/ (packages from
// node_modules), writes it to dist/bench/, and runs it with plain node. Why: tsx compiles our
// TypeScript at run time with esbuild's keepNames (an extra `__name` call for every function and
// class it defines), which the shipped code does not do; a profile taken through tsx shows it.
// The benchmark says which code ran in its output (`code`: `dist` when it runs from dist/bench/).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { build } from '../scripts/build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry || !entry.endsWith('.ts') || !existsSync(entry)) {
  process.stderr.write('usage: node bench/compiled.mjs bench/<name>.ts [benchmark options]\n');
  process.exit(2);
}
const built = build({ quiet: true });
if (built !== 0) process.exit(built);

const COMPILED = ['src', 'actors', 'machines'].map((d) => join(root, d) + sep);
/** Our sources' imports resolve to tsc's output in dist/ (left as imports, not bundled). */
const toDist = {
  name: 'systack-dist',
  setup(b) {
    b.onResolve({ filter: /\.ts$/ }, (a) => {
      const path = join(a.resolveDir, a.path);
      if (!COMPILED.some((d) => path.startsWith(d))) return undefined;
      const js = join(root, 'dist', relative(root, path)).replace(/\.ts$/, '.js');
      if (!existsSync(js))
        return { errors: [{ text: `${js} is not built (is it under src, actors or machines?)` }] };
      return { path: js, external: true };
    });
  },
};
const outdir = join(root, 'dist', 'bench');
mkdirSync(outdir, { recursive: true });
const outfile = join(outdir, basename(entry).replace(/\.ts$/, '.mjs'));
await esbuild({
  absWorkingDir: root,
  entryPoints: [entry],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  plugins: [toDist],
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, [outfile, ...args], { stdio: 'inherit' });
process.exit(r.status ?? 1);
