import type { PriceStore } from '../../store/price-store.ts';
import type { TradingCalendar } from './sessions.ts';
import type { SimInstrumentTerms } from './sim-config.ts';

/** What the trading-hours config gives per instrument (src/config/sim-market.ts). */
export interface SimHoursAndTicks {
  terms(instrumentCode: string): { calendar: TradingCalendar; tickSize: number };
}

/**
 * Each instrument's terms on the simulated market: calendar and tick from the sim market config;
 * point size, currency and commission (PerBlock, Percentage, PerTrade) from the instrument
 * config; the full spread = 2 × SpreadCost (the reference's spread cost is half the bid/ask
 * spread), as a whole number of ticks, at least one; the expiry from the roll config's
 * ExpiryOffset (the 1st of the contract month + offset, as the reference approximates it). An instrument without instrument config has
 * no terms (the broker then refuses to value it rather than guess).
 */
export async function simTermsFromStore(
  store: PriceStore,
  market: SimHoursAndTicks,
): Promise<(instrumentCode: string) => SimInstrumentTerms | undefined> {
  const out = new Map<string, SimInstrumentTerms>();
  for (const code of await store.listInstrumentConfigs()) {
    const cfg = await store.getInstrumentConfig(code);
    const meta = cfg?.meta;
    if (!meta) continue;
    const { calendar, tickSize } = market.terms(code);
    const spreadCost = cfg.spreadCost ?? 0;
    out.set(code, {
      tickSize,
      spreadTicks: Math.max(1, Math.round((2 * spreadCost) / tickSize)),
      pointSize: meta.pointsize,
      currency: meta.currency,
      commission: { perBlock: meta.perBlock, percentage: meta.percentage, perTrade: meta.perTrade },
      calendar,
      ...(cfg.roll ? { expiryOffset: cfg.roll.expiryOffset } : {}),
    });
  }
  return (code) => out.get(code);
}
