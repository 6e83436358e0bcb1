import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The systack package's own directory, found from this module's location (in `src/` when run
 * from source, in `dist/src/` when compiled), so bundled files — `config/`, `sample-data/`,
 * `bin/systack.js` — are found from any working directory, as an installed `systack` is run.
 */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (name === 'systack') return dir;
    }
    const up = dirname(dir);
    if (up === dir)
      throw new Error(`systack's package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

let root: string | undefined;

export function packageRoot(): string {
  root ??= findPackageRoot();
  return root;
}

/** A file or directory bundled with the package (`config/defaults.yaml`, `sample-data/...`). */
export function bundledPath(relative: string): string {
  return resolve(packageRoot(), relative);
}

/** The compiled CLI entry point every child process runs (`node bin/systack.js ...`). */
export function cliEntryPoint(): string {
  return bundledPath('bin/systack.js');
}
