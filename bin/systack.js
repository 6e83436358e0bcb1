#!/usr/bin/env node
// Entry point: runs the compiled CLI, bundled in dist/bundle/ (built by `npm run build`, which
// `npm ci` runs: tsc, then esbuild; scripts/build.mjs).
import { existsSync } from 'node:fs';

const main = new URL('../dist/bundle/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write("systack: not built: run 'npm run build' in the systack directory (npm ci does it)\n");
  process.exit(1);
}
const { runCli } = await import(main.href);
const code = await runCli(process.argv.slice(2));
// A failed command has already stopped what it started; exit now rather than wait on a stray handle.
if (code !== 0) process.exit(code);
process.exitCode = code;
