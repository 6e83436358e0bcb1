/**
 * The classic system's data from the PriceStore (digest §7.1 raw data): adjusted prices (for
 * the rules and volatility), multiple prices (PRICE for the denominator, PRICE/CARRY and their
 * contracts for carry), point size and currency from the stored instrument config, and every
 * stored `XXXUSD` FX series. So the nightly run_systems reads exactly the series that
 * run_daily_prices_updates maintains (digest §6.3), not a CSV snapshot.
 */
import type { PriceSeries } from '../domain/prices/types.ts';
import type { InstrumentData } from '../domain/system/subsystem.ts';
import type { PriceStore } from './price-store.ts';
import { currencyOfUsdFxCode } from '../domain/prices/types.ts';
import type { SystemData, SystemDataSource } from './system-data.ts';

export class PriceStoreSystemDataSource implements SystemDataSource {
  constructor(private readonly store: PriceStore) {}

  /** Instruments with both adjusted and multiple prices stored. */
  async instruments(): Promise<string[]> {
    const [adjusted, multiple] = await Promise.all([
      this.store.listAdjustedPrices(),
      this.store.listMultiplePrices(),
    ]);
    const adj = new Set(adjusted);
    return multiple.filter((c) => adj.has(c)).sort();
  }

  async load(instrumentCodes?: string[]): Promise<SystemData> {
    const codes = instrumentCodes ?? (await this.instruments());
    if (codes.length === 0)
      throw new Error(
        'the price store has no instrument with adjusted and multiple prices: import prices first',
      );
    const instruments = await Promise.all(codes.map((code) => this.instrument(code)));
    const fx_to_usd: Record<string, PriceSeries> = {};
    for (const code of await this.store.listFxPrices()) {
      const ccy = currencyOfUsdFxCode(code);
      if (!ccy) continue;
      const s = await this.store.getFxPrices(code);
      if (s) fx_to_usd[ccy] = s;
    }
    return { instruments, fx_to_usd };
  }

  private async instrument(code: string): Promise<InstrumentData> {
    const [cfg, adjusted, multiple] = await Promise.all([
      this.store.getInstrumentConfig(code),
      this.store.getAdjustedPrices(code),
      this.store.getMultiplePrices(code),
    ]);
    if (!cfg?.meta) throw new Error(`instrument ${code} has no instrument config in the price store`);
    if (!adjusted || !multiple)
      throw new Error(
        `instrument ${code} has no ${adjusted ? 'multiple' : 'adjusted'} prices in the price store`,
      );
    return {
      instrument_code: code,
      adjusted,
      multiple,
      pointsize: cfg.meta.pointsize,
      currency: cfg.meta.currency,
    };
  }
}
