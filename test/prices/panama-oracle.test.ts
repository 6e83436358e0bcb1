import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { panamaStitch } from '../../src/domain/prices/panama.ts';
import { csvFloat } from '../../src/domain/prices/python-repr.ts';
import { parseAdjustedPricesCsv, parseMultiplePricesCsv } from '../../src/store/csv/price-files.ts';

const DATA = join(import.meta.dirname, '../../../shared/data/pysystemtrade');
const INSTRUMENTS = ['AUD', 'BUXL', 'CORN', 'EUROSTX', 'GAS_US', 'GOLD', 'SOFR', 'SP500', 'US10', 'V2X'];

/** Digest §6.4 / data doc §5: our Panama stitch equals pysystemtrade's adjusted file on every common stamp. */
describe('Panama back-adjustment against pysystemtrade adjusted_prices_csv', () => {
  it.each(INSTRUMENTS)(
    '%s: equal on every common timestamp (max abs diff <= 1e-9), NaN where the file is empty',
    (code) => {
      const multiple = parseMultiplePricesCsv(
        readFileSync(join(DATA, 'multiple_prices_csv', `${code}.csv`), 'utf8'),
        `${code}.csv`,
      );
      const expectedText = readFileSync(join(DATA, 'adjusted_prices_csv', `${code}.csv`), 'utf8');
      const expected = parseAdjustedPricesCsv(expectedText, `${code}.csv`);
      const ours = panamaStitch(multiple);
      let i = 0;
      let common = 0;
      let maxDiff = 0;
      let nanMismatch = 0;
      let textMismatch = 0;
      for (let j = 0; j < expected.times.length; j++) {
        const t = expected.times[j] as number;
        while (i < ours.times.length && (ours.times[i] as number) < t) i++;
        if (ours.times[i] !== t) continue;
        common++;
        const a = ours.values[i] as number;
        const b = expected.values[j] as number;
        if (Number.isNaN(a) !== Number.isNaN(b)) nanMismatch++;
        else if (!Number.isNaN(a)) maxDiff = Math.max(maxDiff, Math.abs(a - b));
        if (csvFloat(a) !== csvFloat(b)) textMismatch++;
      }
      // the files differ only in which rows exist (data doc §5): nearly every adjusted row is common
      expect(common).toBeGreaterThan(expected.times.length - 5);
      expect(nanMismatch).toBe(0);
      expect(maxDiff).toBeLessThanOrEqual(1e-9);
      // and in fact bit-identical, so Python repr text is identical too
      expect(maxDiff).toBe(0);
      expect(textMismatch).toBe(0);
    },
  );
});
