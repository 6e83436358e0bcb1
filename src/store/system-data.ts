/**
 * Port for the price data the classic system reads: adjusted and multiple prices per
 * instrument, instrument config (point size, currency) and FX to USD. The CSV backend reads
 * a pysystemtrade data folder; a price-store backend can implement the same port.
 */
import type { PysystemtradeData } from './pysystemtrade-csv.ts';
import { loadPysystemtradeData } from './pysystemtrade-csv.ts';

export interface SystemDataSource {
  load(instrumentCodes?: string[]): Promise<PysystemtradeData>;
}

export class CsvSystemDataSource implements SystemDataSource {
  constructor(readonly dir: string) {}
  async load(instrumentCodes?: string[]): Promise<PysystemtradeData> {
    return loadPysystemtradeData(this.dir, instrumentCodes);
  }
}
