/**
 * The methods of run_daily_prices_updates (production doc "Core production system components"):
 * update_fx_prices, update_sampled_contracts, update_historical_prices,
 * update_multiple_adjusted_prices. Each takes `{ store, broker, clock, log, config }` and any
 * BrokerPort, so the supervisor can call them in order.
 */
export type { PriceLog, PriceUpdateConfig, PriceUpdateDeps } from './prices/deps.ts';
export { DEFAULT_PRICE_UPDATE_CONFIG, priceLogFrom, priceUpdateConfigFrom } from './prices/deps.ts';
export { type FxPricesResult, updateFxPrices } from './prices/fx-prices.ts';
export { type HistoricalPricesResult, updateHistoricalPrices } from './prices/historical-prices.ts';
export { type DecideSpike, type ManualCheckOutcome, manualCheckQuarantine } from './prices/manual-check.ts';
export { type MultipleAdjustedResult, updateMultipleAdjustedPrices } from './prices/multiple-adjusted.ts';
export { PriceRollError, rollInstrumentPrices } from './prices/roll.ts';
export { type SampledContractsResult, updateSampledContracts } from './prices/sampled-contracts.ts';
