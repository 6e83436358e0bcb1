/**
 * The validated configuration, cached between CLI calls. Parsing the YAML files and checking
 * them against the zod schemas costs a short command (a NATS query) more than the query itself,
 * so `loadConfigCached` keeps the validated result in `<cache dir>/config-<key>.json` and loads
 * `load.ts` (yaml, zod, the schemas) only when there is no entry for the key.
 *
 * The key is a SHA-256 of everything `loadConfig` reads: the four config files and the control
 * overlay (their paths and whole contents, or their absence), the environment variables that
 * choose them and `data_dir`, and the modification time of the build stamp (and, run from
 * source, of the config modules): a changed schema is a new key. A changed file is therefore
 * never served from an old entry; a config error is never cached (it is thrown by `loadConfig`
 * on every call).
 *
 * Cache directory: $SYSTACK_CACHE_DIR, else $XDG_CACHE_HOME/systack, else ~/.cache/systack
 * (mode 0700, files 0600: the entry holds the private config's values, as the private file
 * does). SYSTACK_CONFIG_CACHE=off turns the cache off.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFiles, type ConfigFiles, type LoadOptions } from './files.ts';
import type { LoadedConfig } from './load.ts';
import { bundledPath } from './paths.ts';

const ENV_KEYS = [
  'SYSTACK_CONFIG_DIR',
  'SYSTACK_PRIVATE_DIR',
  'SYSTACK_CONTROL_OVERLAY',
  'SYSTACK_DATA_DIR',
] as const;

export function configCacheDir(): string {
  if (process.env.SYSTACK_CACHE_DIR) return process.env.SYSTACK_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'systack');
}

function readOrAbsent(file: string | undefined): string {
  if (!file) return '(none)';
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '(absent)'; // a missing optional file is part of the key; a missing required one fails in loadConfig
  }
}

/**
 * The build stamp's mtime (every build writes it) and, run from source (tsx, vitest: no build
 * between edits) or without a stamp, the mtimes of this module's directory (the schemas): code
 * changes change the key. Compiled (dist/, the CLI bundle) the stamp alone does, and no
 * directory is listed (the bundle's holds hundreds of files).
 */
function codeVersion(): string {
  const here = fileURLToPath(import.meta.url);
  const stamp = statSync(bundledPath('dist/.build-stamp'), { throwIfNoEntry: false });
  const dir = dirname(here);
  const parts =
    here.endsWith('.ts') || !stamp
      ? readdirSync(dir)
          .sort()
          .map((f) => `${f}:${statSync(join(dir, f)).mtimeMs}`)
      : [];
  return `${parts.join(',')};stamp:${stamp?.mtimeMs ?? 'none'}`;
}

/** The cache key of a derived value: its kind, the code version, the environment and the input files. */
export function cacheKey(kind: string, files: ReadonlyArray<string | undefined>): string {
  const h = createHash('sha256');
  h.update(`${kind}\0${codeVersion()}`);
  for (const k of ENV_KEYS) h.update(`\0${k}=${process.env[k] ?? ''}`);
  for (const f of files) h.update(`\0${f ?? ''}\0${readOrAbsent(f)}`);
  return h.digest('hex').slice(0, 32);
}

/** The cache key of the configuration `loadConfig` would load from `files` now. */
export function configCacheKey(files: ConfigFiles): string {
  const overlay = process.env.SYSTACK_CONTROL_OVERLAY;
  return cacheKey('config', [
    files.defaults,
    files.control,
    files.privateConfig,
    files.privateControl,
    overlay,
  ]);
}

function tryRead<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined; // no entry (or a torn one): load and write it afresh
  }
}

/** Entries kept: beyond this many, the least recently written go (each config edit adds one). */
const KEEP_ENTRIES = 40;

function prune(dir: string): void {
  const entries = readdirSync(dir)
    .filter((f) => /^[a-z_]+-[0-9a-f]+\.json$/.test(f))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of entries.slice(KEEP_ENTRIES)) rmSync(join(dir, f), { force: true });
}

function tryWrite(dir: string, file: string, value: unknown): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(value), { mode: 0o600 });
    renameSync(tmp, file);
    prune(dir);
  } catch {
    // an unwritable cache directory only costs the next call the full load
  }
}

/**
 * A JSON value derived from files, from the cache when it was computed from the same files
 * (`key` from `cacheKey`); `compute` runs (and its result is stored) otherwise. A throw from
 * `compute` is not cached.
 */
export async function cachedJson<T>(kind: string, key: string, compute: () => Promise<T>): Promise<T> {
  const off = process.env.SYSTACK_CONFIG_CACHE === 'off';
  const dir = configCacheDir();
  const file = off ? undefined : join(dir, `${kind}-${key}.json`);
  const hit = file ? tryRead<T>(file) : undefined;
  if (hit !== undefined) return hit;
  const value = await compute();
  if (file) tryWrite(dir, file, value);
  return value;
}

/** `loadConfig(opts)`, from the cache when the same files were validated before. */
export async function loadConfigCached(opts: LoadOptions = {}): Promise<LoadedConfig> {
  const files = configFiles(opts);
  return cachedJson('config', configCacheKey(files), async () =>
    (await import('./load.ts')).loadConfig(opts),
  );
}
