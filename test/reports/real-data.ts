// The real pysystemtrade data in ../shared/data (adjusted prices to 2023-08-31, csvconfig, EURUSD)
// as the reports' inputs: InstrumentMarket rows for the pure report functions, and the same
// files written to a JetStream price store for the reports built from the stores.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dailyCloses, type InstrumentMarket } from '../../src/domain/reports/market.ts';
import type { InstrumentConfig } from '../../src/domain/prices/types.ts';
import {
  joinInstrumentConfigs,
  parseInstrumentConfigCsv,
  parseMoreInstrumentInfoCsv,
  parseRollConfigCsv,
  parseSpreadCostsCsv,
} from '../../src/store/csv/config-files.ts';
import {
  parseAdjustedPricesCsv,
  parseFxPricesCsv,
  parseMultiplePricesCsv,
} from '../../src/store/csv/price-files.ts';
import { listCsvInstruments } from '../../src/store/pysystemtrade-csv.ts';
import type { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';

export const DATA = join(import.meta.dirname, '../../../shared/data/pysystemtrade');
/** Every instrument of the shared data folder (adjusted and multiple prices), as the system reads it. */
export const REAL_INSTRUMENTS = listCsvInstruments(DATA);
/** 2023-08-31 22:00 UTC (a Thursday): after the last adjusted price of the data. */
export const REAL_NOW = Date.UTC(2023, 7, 31, 22);

const read = (p: string) => readFileSync(join(DATA, p), 'utf8');

export function realConfigs(): Map<string, InstrumentConfig> {
  const cfgs = joinInstrumentConfigs({
    meta: parseInstrumentConfigCsv(read('csvconfig/instrumentconfig.csv'), 'instrumentconfig.csv'),
    roll: parseRollConfigCsv(read('csvconfig/rollconfig.csv'), 'rollconfig.csv'),
    spread: parseSpreadCostsCsv(read('csvconfig/spreadcosts.csv'), 'spreadcosts.csv'),
    more: parseMoreInstrumentInfoCsv(read('csvconfig/moreinstrumentinfo.csv'), 'moreinstrumentinfo.csv'),
  });
  return new Map(
    cfgs.filter((c) => REAL_INSTRUMENTS.includes(c.instrumentCode)).map((c) => [c.instrumentCode, c]),
  );
}

export function realAdjusted(code: string, rows: number): { times: Float64Array; values: Float64Array } {
  const s = parseAdjustedPricesCsv(read(`adjusted_prices_csv/${code}.csv`), code);
  const from = Math.max(0, s.times.length - rows);
  return { times: s.times.slice(from), values: s.values.slice(from) };
}

export const realEurUsd = () => parseFxPricesCsv(read('fx_prices_csv/EURUSD.csv'), 'EURUSD.csv');

export function realMultiple(code: string, rows: number) {
  const m = parseMultiplePricesCsv(read(`multiple_prices_csv/${code}.csv`), code);
  const from = Math.max(0, m.times.length - rows);
  return {
    times: m.times.slice(from),
    price: m.price.slice(from),
    forward: m.forward.slice(from),
    carry: m.carry.slice(from),
    priceContract: m.priceContract.slice(from),
    forwardContract: m.forwardContract.slice(from),
    carryContract: m.carryContract.slice(from),
  };
}

/** The real markets as the report functions see them (USD base; EUR at the last EURUSD). */
export function realMarkets(rows = 600): InstrumentMarket[] {
  const cfgs = realConfigs();
  const eurusd = realEurUsd();
  const lastEur = eurusd.values[eurusd.values.length - 1]!;
  return REAL_INSTRUMENTS.map((code) => {
    const cfg = cfgs.get(code)!;
    const adj = realAdjusted(code, 50 * rows);
    const prices = dailyCloses(adj.times, adj.values, rows);
    return {
      instrumentCode: code,
      assetClass: cfg.meta?.assetClass,
      currency: cfg.meta?.currency,
      pointSize: cfg.meta?.pointsize,
      fx: cfg.meta?.currency === 'USD' ? 1 : lastEur,
      price: prices.at(-1)![1],
      prices,
      volumes: [],
      spreadCost: cfg.spreadCost,
      perBlock: cfg.meta?.perBlock,
      percentage: cfg.meta?.percentage,
      perTrade: cfg.meta?.perTrade,
    };
  });
}

/** Write the real data of `codes` to a price store: configs, adjusted and multiple prices, EURUSD. */
export async function seedRealPrices(store: JetStreamPriceStore, codes: string[], rows = 600): Promise<void> {
  const cfgs = realConfigs();
  for (const code of codes) {
    await store.putInstrumentConfig(cfgs.get(code)!);
    await store.putAdjustedPrices(code, realAdjusted(code, 50 * rows));
    await store.putMultiplePrices(code, realMultiple(code, 5));
  }
  await store.putFxPrices('EURUSD', realEurUsd());
}
