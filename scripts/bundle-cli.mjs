#!/usr/bin/env node
// Bundles the compiled CLI (dist/src/cli/main.js, tsc's output) with esbuild into
// dist/bundle/: ES modules, one chunk per lazily imported command module (code splitting), so
// `systack <command>` reads a few files instead of hundreds. The packages every short command
// uses (BUNDLED: the NATS client, commander, cli-table3, yaml, zod) are bundled with what they
// require; every other package stays an import from node_modules (mongodb, @stoqey/ib, xstate,
// ...: bundling them buys a query nothing). Start-up time is mostly Node compiling CommonJS
// modules one file at a time (issue 14 §2); a bundle is plain compiled JavaScript, nothing
// compiles TypeScript at run time. dist/bundle/meta.json maps each output file to its inputs
// (esbuild's metafile). Run by scripts/build.mjs after tsc; exit code non-zero on failure.
// One difference from Node: a bundled CommonJS package imported with `await import()` has only
// its default export (module.exports), and tsx gives another one; so our code imports such a
// package statically, in a module of ours that is imported lazily (src/bus/svcm.ts).
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');
/** tsc's output: our code (whatever is not under it is a package). */
const compiled = join(root, 'dist') + sep;

/** Packages bundled (a name, or a scope ending in '/'); their own dependencies come with them. */
const BUNDLED = ['@nats-io/', 'commander', 'cli-table3', 'yaml', 'zod'];

const packageName = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');
const bundled = (spec) => {
  const name = packageName(spec);
  return BUNDLED.some((b) => (b.endsWith('/') ? name.startsWith(b) : name === b));
};

/** Bare imports from our code: bundled when listed, else left to Node at run time. */
const externals = {
  name: 'systack-externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      // a bundled package's own imports come with it (esbuild leaves Node's built-ins out)
      if (!args.importer.startsWith(compiled)) return undefined;
      return bundled(args.path) ? undefined : { path: args.path, external: true };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'dist/src/cli/main.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  plugins: [externals],
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  // bundled CommonJS packages call require() (of Node's built-ins): give ES modules one
  banner: {
    js: "import { createRequire as __systackRequire } from 'node:module'; const require = __systackRequire(import.meta.url);",
  },
});
writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
