import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shared pysystemtrade data folder (../shared/data/pysystemtrade beside the checkout). */
export const PYSYSTEMTRADE_DIR = fileURLToPath(
  new URL('../../../../shared/data/pysystemtrade', import.meta.url),
);

/** A syscore test fixture (`DATETIME,ADJ`) as a plain row-per-row series (no resampling). */
export function loadSyscoreFixture(name: string): Float64Array {
  const text = readFileSync(`${PYSYSTEMTRADE_DIR}/test_fixtures/syscore/tests/${name}`, 'utf8');
  const lines = text.trim().split('\n').slice(1);
  return Float64Array.from(
    lines.map((l) => {
      const v = l.split(',')[1];
      return v === undefined || v === '' ? Number.NaN : Number(v);
    }),
  );
}
