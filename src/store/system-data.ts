/**
 * Port for the price data the classic system reads (digest §7.1 raw data): adjusted and
 * multiple prices per instrument, instrument config (point size, currency) and FX to USD.
 * Backends: the PriceStore (`price-store-system-data.ts`, the default: the prices the daily
 * price updates maintain) and a pysystemtrade CSV folder (`pysystemtrade-csv.ts`).
 */
import type { PriceSeries } from '../domain/prices/types.ts';
import type { InstrumentData } from '../domain/system/subsystem.ts';
import { loadPysystemtradeData } from './pysystemtrade-csv.ts';

export interface SystemData {
  instruments: InstrumentData[];
  /** USD value of one unit of each currency, keyed by the currency (`EUR` from FX code `EURUSD`). */
  fx_to_usd: Record<string, PriceSeries>;
}

export interface SystemDataSource {
  /** The given instruments (default: every instrument with adjusted and multiple prices). */
  load(instrumentCodes?: string[]): Promise<SystemData>;
}

export class CsvSystemDataSource implements SystemDataSource {
  constructor(readonly dir: string) {}
  async load(instrumentCodes?: string[]): Promise<SystemData> {
    return loadPysystemtradeData(this.dir, instrumentCodes);
  }
}
