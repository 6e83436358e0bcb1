import type { BrokerPort } from '../../src/broker/port.ts';
import type { Clock } from '../../src/clock.ts';
import { DEFAULT_CLEANING, type PriceCleaningConfig } from '../../src/domain/prices/cleaning.ts';
import { DEFAULT_MAX_PRICE_SPIKE } from '../../src/domain/prices/spike-check.ts';
import { type Logger, logCritical } from '../../src/log/logger.ts';
import type { PriceFrequency, PriceStore } from '../../src/store/price-store.ts';

/**
 * What the daily price processes (run_daily_prices_updates' methods) need. The log is a small
 * interface; `priceLogFrom(logger)` below adapts the pino logger (`src/log/logger.ts`):
 * `critical` is `logCritical(log, msg, fields)` and also the "Price Spike" notification.
 */
export interface PriceLog {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  critical(msg: string, fields: Record<string, unknown>): void;
}

export interface PriceUpdateConfig {
  /** digest §6.1 `max_price_spike` (default 8). */
  maxPriceSpike: number;
  /** digest §6.1 `intraday_frequency` (default H). */
  intradayFrequency: PriceFrequency;
  cleaning: PriceCleaningConfig;
  /** Instruments to update; default: every instrument with multiple prices. */
  instruments?: string[];
  /** FX codes to update (e.g. EURUSD); default: every stored FX series. */
  fxCodes?: string[];
}

export const DEFAULT_PRICE_UPDATE_CONFIG: PriceUpdateConfig = {
  maxPriceSpike: DEFAULT_MAX_PRICE_SPIKE,
  intradayFrequency: 'H',
  cleaning: DEFAULT_CLEANING,
};

export interface PriceUpdateDeps {
  store: PriceStore;
  broker: BrokerPort;
  clock: Clock;
  log: PriceLog;
  config: PriceUpdateConfig;
}

export async function instrumentsToUpdate(
  deps: Pick<PriceUpdateDeps, 'store' | 'config'>,
): Promise<string[]> {
  return deps.config.instruments ?? (await deps.store.listMultiplePrices());
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The price settings of the system config (`config/defaults.yaml`: max_price_spike, intraday_frequency, ignore_*). */
export function priceUpdateConfigFrom(system: {
  max_price_spike: number;
  intraday_frequency: PriceFrequency;
  ignore_future_prices: boolean;
  ignore_prices_with_zero_volumes_intraday: boolean;
  ignore_prices_with_zero_volumes_daily: boolean;
  ignore_zero_prices: boolean;
  ignore_negative_prices: boolean;
}): PriceUpdateConfig {
  return {
    maxPriceSpike: system.max_price_spike,
    intradayFrequency: system.intraday_frequency,
    cleaning: {
      ignoreFuturePrices: system.ignore_future_prices,
      ignorePricesWithZeroVolumesIntraday: system.ignore_prices_with_zero_volumes_intraday,
      ignorePricesWithZeroVolumesDaily: system.ignore_prices_with_zero_volumes_daily,
      ignoreZeroPrices: system.ignore_zero_prices,
      ignoreNegativePrices: system.ignore_negative_prices,
    },
  };
}

/** The pino logger (`src/log/logger.ts`) as a PriceLog; critical goes through logCritical (and its notifier). */
export function priceLogFrom(log: Logger): PriceLog {
  return {
    info: (fields, msg) => log.info(fields, msg),
    warn: (fields, msg) => log.warn(fields, msg),
    critical: (msg, fields) => logCritical(log, msg, fields),
  };
}
