/**
 * Build the bundled sample `sample-data/pysystemtrade/` from the full pysystemtrade data set
 * (default `../shared/data/pysystemtrade`): csvconfig rows for the sample instruments, their
 * multiple and adjusted prices and roll calendars, and EURUSD spot FX, over the last ~3 years;
 * the IB configuration (ibconfig/) as it is.
 *
 * Daily rows only: for each calendar day (UTC) the LAST row of that day is kept at its original
 * timestamp. In multiple prices each of PRICE / FORWARD / CARRY is taken from that row, or, when
 * it is empty there, from the latest earlier row of the same day with the same contract. The
 * adjusted price is pysystemtrade's own value at that timestamp (or the latest earlier same-day,
 * same-contract value when that one is empty), so the sample's adjusted file is real
 * pysystemtrade output, not a re-stitch. Roll calendars are copied whole (they are small).
 *
 * Usage: npx tsx scripts/make-sample-data.ts [--from <full data dir>] [--out <dir>] [--start YYYY-MM-DD]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { panamaStitch } from '../src/domain/prices/panama.ts';
import { parseNaiveTimestamp } from '../src/domain/prices/time.ts';
import { lowerBound, type MultiplePrices, type PriceSeries } from '../src/domain/prices/types.ts';
import { filterConfigCsv } from '../src/store/csv/config-files.ts';
import {
  parseAdjustedPricesCsv,
  parseFxPricesCsv,
  parseMultiplePricesCsv,
  writeAdjustedPricesCsv,
  writeFxPricesCsv,
  writeMultiplePricesCsv,
} from '../src/store/csv/price-files.ts';

const INSTRUMENTS = ['GOLD', 'SOFR', 'SP500', 'US10'];
const FX = ['EURUSD'];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}
const FROM = arg('--from', join(import.meta.dirname, '../../shared/data/pysystemtrade'));
const OUT = arg('--out', join(import.meta.dirname, '../sample-data/pysystemtrade'));
const START = parseNaiveTimestamp(arg('--start', '2020-09-01')) as number;

const dayOf = (t: number): number => Math.floor(t / 86_400_000);

/** Indices of the last row of each day, at or after START. */
function lastRowsOfDays(times: Float64Array): number[] {
  const out: number[] = [];
  for (let i = lowerBound(times, START); i < times.length; i++) {
    const next = times[i + 1];
    if (next === undefined || dayOf(next) !== dayOf(times[i] as number)) out.push(i);
  }
  return out;
}

/** Value of `col` at row i, or from the latest earlier same-day row whose label matches row i's. */
function sameDayValue(times: Float64Array, col: Float64Array, labels: string[], i: number): number {
  for (let k = i; k >= 0 && dayOf(times[k] as number) === dayOf(times[i] as number); k--) {
    if (labels[k] !== labels[i]) break;
    const v = col[k] as number;
    if (!Number.isNaN(v)) return v;
  }
  return Number.NaN;
}

function sampleMultiple(m: MultiplePrices): { sample: MultiplePrices; rows: number[] } {
  const rows = lastRowsOfDays(m.times);
  const pick = (col: Float64Array, labels: string[]): Float64Array =>
    Float64Array.from(rows, (i) => sameDayValue(m.times, col, labels, i));
  return {
    rows,
    sample: {
      times: Float64Array.from(rows, (i) => m.times[i] as number),
      price: pick(m.price, m.priceContract),
      forward: pick(m.forward, m.forwardContract),
      carry: pick(m.carry, m.carryContract),
      priceContract: rows.map((i) => m.priceContract[i] as string),
      forwardContract: rows.map((i) => m.forwardContract[i] as string),
      carryContract: rows.map((i) => m.carryContract[i] as string),
    },
  };
}

function sampleAdjusted(adj: PriceSeries, m: MultiplePrices, rows: number[]): PriceSeries {
  const values = rows.map((i) => {
    const t = m.times[i] as number;
    // walk back over the same day's multiple-price rows with the same PRICE_CONTRACT
    for (let k = i; k >= 0 && dayOf(m.times[k] as number) === dayOf(t); k--) {
      if (m.priceContract[k] !== m.priceContract[i]) break;
      const j = lowerBound(adj.times, m.times[k] as number);
      if (adj.times[j] === m.times[k] && !Number.isNaN(adj.values[j] as number))
        return adj.values[j] as number;
    }
    return Number.NaN;
  });
  return { times: Float64Array.from(rows, (i) => m.times[i] as number), values: Float64Array.from(values) };
}

for (const sub of [
  'csvconfig',
  'multiple_prices_csv',
  'adjusted_prices_csv',
  'roll_calendars_csv',
  'fx_prices_csv',
  'ibconfig',
]) {
  mkdirSync(join(OUT, sub), { recursive: true });
}
// The IB configuration (instrument → IB contract, spot FX, trading hours), copied as it is: the
// IB adapter reads it from the bundled folder by default (`ib_config_dir`).
for (const f of ['ib_config_futures.csv', 'ib_config_spot_FX.csv', 'ib_config_trading_hours.yaml']) {
  writeFileSync(join(OUT, 'ibconfig', f), readFileSync(join(FROM, 'ibconfig', f)));
}
const codes = new Set(INSTRUMENTS);
for (const f of ['instrumentconfig.csv', 'rollconfig.csv', 'spreadcosts.csv', 'moreinstrumentinfo.csv']) {
  writeFileSync(
    join(OUT, 'csvconfig', f),
    filterConfigCsv(readFileSync(join(FROM, 'csvconfig', f), 'utf8'), codes),
  );
}
const report: Record<string, unknown> = {};
for (const code of INSTRUMENTS) {
  const m = parseMultiplePricesCsv(
    readFileSync(join(FROM, 'multiple_prices_csv', `${code}.csv`), 'utf8'),
    code,
  );
  const adj = parseAdjustedPricesCsv(
    readFileSync(join(FROM, 'adjusted_prices_csv', `${code}.csv`), 'utf8'),
    code,
  );
  const { sample, rows } = sampleMultiple(m);
  const sampleAdj = sampleAdjusted(adj, m, rows);
  writeFileSync(join(OUT, 'multiple_prices_csv', `${code}.csv`), writeMultiplePricesCsv(sample));
  writeFileSync(join(OUT, 'adjusted_prices_csv', `${code}.csv`), writeAdjustedPricesCsv(sampleAdj));
  writeFileSync(
    join(OUT, 'roll_calendars_csv', `${code}.csv`),
    readFileSync(join(FROM, 'roll_calendars_csv', `${code}.csv`), 'utf8'),
  );
  // the daily sample must still stitch (every roll needs FORWARD and PRICE on the day before)
  const stitched = panamaStitch(sample);
  report[code] = { rows: sample.times.length, stitchedRows: stitched.times.length };
}
for (const code of FX) {
  const fx = parseFxPricesCsv(readFileSync(join(FROM, 'fx_prices_csv', `${code}.csv`), 'utf8'), code);
  const from = lowerBound(fx.times, START);
  const part = { times: fx.times.slice(from), values: fx.values.slice(from) };
  writeFileSync(join(OUT, 'fx_prices_csv', `${code}.csv`), writeFxPricesCsv(part));
  report[code] = { rows: part.times.length };
}
process.stdout.write(`${JSON.stringify(report)}\n`);
