import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { panamaStitch } from '../../src/domain/prices/panama.ts';
import { parseAdjustedPricesCsv, parseMultiplePricesCsv } from '../../src/store/csv/price-files.ts';

const ROOT = join(import.meta.dirname, '../..');
const SAMPLE = join(ROOT, 'sample-data/pysystemtrade');

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.csv'))
    .sort();
}

describe('bundled sample data (sample-data/pysystemtrade)', () => {
  it('is exactly what scripts/make-sample-data.ts builds', () => {
    const out = mkdtempSync(join(tmpdir(), 'systack-sample-'));
    try {
      execFileSync(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'scripts/make-sample-data.ts'), '--out', out],
        {
          cwd: ROOT,
          stdio: 'pipe',
        },
      );
      expect(files(out)).toEqual(files(SAMPLE));
      for (const f of files(SAMPLE))
        expect(readFileSync(join(out, f), 'utf8'), f).toBe(readFileSync(join(SAMPLE, f), 'utf8'));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it.each(['GOLD', 'SOFR', 'SP500', 'US10'])(
    '%s: one row per day, and the current segment equals pysystemtrade adjusted',
    (code) => {
      const m = parseMultiplePricesCsv(
        readFileSync(join(SAMPLE, 'multiple_prices_csv', `${code}.csv`), 'utf8'),
        code,
      );
      const adj = parseAdjustedPricesCsv(
        readFileSync(join(SAMPLE, 'adjusted_prices_csv', `${code}.csv`), 'utf8'),
        code,
      );
      const days = new Set(Array.from(m.times, (t) => Math.floor(t / 86_400_000)));
      expect(days.size).toBe(m.times.length);
      expect(Array.from(adj.times)).toEqual(Array.from(m.times));
      const ours = panamaStitch(m);
      const last = m.priceContract.at(-1);
      for (let i = m.times.length - 1; i >= 0 && m.priceContract[i] === last; i--) {
        const a = adj.values[i] as number;
        if (!Number.isNaN(a)) expect(ours.values[i]).toBe(a);
      }
    },
  );
});
