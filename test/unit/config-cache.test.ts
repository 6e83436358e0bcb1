import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfigCached } from '../../src/config/cached.ts';
import { ConfigError, loadConfig } from '../../src/config/load.ts';

const saved = process.env.SYSTACK_CACHE_DIR;
let cacheDir: string;
let privateDir: string;

beforeEach(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'systack-cache-'));
  privateDir = mkdtempSync(join(tmpdir(), 'systack-private-'));
  process.env.SYSTACK_CACHE_DIR = cacheDir;
});
afterEach(() => {
  if (saved === undefined) delete process.env.SYSTACK_CACHE_DIR;
  else process.env.SYSTACK_CACHE_DIR = saved;
});

const entries = () => readdirSync(cacheDir).filter((f) => f.startsWith('config-'));

describe('config cache (loadConfigCached)', () => {
  it('gives what loadConfig gives, from one cache entry on the second call', async () => {
    const first = await loadConfigCached({ privateDir });
    expect(first).toEqual(loadConfig({ privateDir }));
    expect(entries()).toHaveLength(1);
    const second = await loadConfigCached({ privateDir });
    expect(second).toEqual(first);
    expect(entries()).toHaveLength(1);
  });

  it('a changed private file is a new key: the new value, never the old entry', async () => {
    writeFileSync(join(privateDir, 'private_config.yaml'), 'max_price_spike: 9\n');
    expect((await loadConfigCached({ privateDir })).system.max_price_spike).toBe(9);
    writeFileSync(join(privateDir, 'private_config.yaml'), 'max_price_spike: 7\n');
    expect((await loadConfigCached({ privateDir })).system.max_price_spike).toBe(7);
    expect(entries()).toHaveLength(2);
  });

  it('an invalid config is not cached: the same ConfigError every call', async () => {
    writeFileSync(join(privateDir, 'private_config.yaml'), 'no_such_key: 1\n');
    await expect(loadConfigCached({ privateDir })).rejects.toBeInstanceOf(ConfigError);
    await expect(loadConfigCached({ privateDir })).rejects.toThrow(/no_such_key/);
    expect(entries()).toHaveLength(0);
  });
});
