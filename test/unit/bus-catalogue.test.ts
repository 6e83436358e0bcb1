// Every stream, KV bucket and object store the code opens is in the bus catalogue
// (src/bus/roles.ts): on the embedded server, writer roles may create only those, so a new
// bucket missing from it would fail at its first open with a permissions violation.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUS_CATALOGUE } from '../../src/bus/roles.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('bus catalogue', () => {
  it('names every stream, bucket and object store opened in src/ and actors/', () => {
    const known = new Set<string>([
      ...BUS_CATALOGUE.streams,
      ...BUS_CATALOGUE.kv,
      ...BUS_CATALOGUE.objectStores,
    ]);
    const patterns = [
      /streamName\([^,()]+,\s*'([A-Za-z0-9_-]+)'\)/g,
      /openJsonBucket\([^,()]+,[^,()]+,\s*'([A-Za-z0-9_-]+)'/g,
      /openRecords\([^,()]+,[^,()]+,\s*'([A-Za-z0-9_-]+)'/g,
      /name: '([A-Za-z0-9_-]+)', history/g,
      /_BUCKET = '([A-Za-z0-9_-]+)'/g,
    ];
    const found = new Map<string, string>();
    for (const file of [...sources('src'), ...sources('actors')]) {
      const text = readFileSync(file, 'utf8');
      for (const re of patterns) for (const m of text.matchAll(re)) found.set(m[1]!, file);
    }
    expect(found.size).toBeGreaterThan(10);
    const missing = [...found].filter(([name]) => !known.has(name)).map(([n, f]) => `${n} (${f})`);
    expect(missing, 'add these to BUS_CATALOGUE in src/store/catalogue.ts').toEqual([]);
  });
});
