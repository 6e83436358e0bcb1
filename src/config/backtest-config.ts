/**
 * A strategy's backtest config (`strategy_list.<name>.backtest_config`) validated into
 * overrides of the classic system's defaults (digest §7). Unknown keys are errors.
 */
import { z } from 'zod';
import { type ClassicSystemConfig, classicSystemConfig } from '../domain/system/config.ts';

const weights = z.record(z.string(), z.number().min(0));

const rule = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('ewmac'),
    lfast: z.number().int().positive(),
    lslow: z.number().int().positive(),
  }),
  z.strictObject({ type: z.literal('carry'), smooth_days: z.number().positive() }),
]);

const vol = z.discriminatedUnion('func', [
  z.strictObject({
    func: z.literal('mixed_vol_calc'),
    days: z.number().positive().optional(),
    minPeriods: z.number().int().min(0).optional(),
    slowVolYears: z.number().positive().optional(),
    proportionOfSlowVol: z.number().min(0).max(1).optional(),
    volAbsMin: z.number().min(0).optional(),
    backfill: z.boolean().optional(),
  }),
  z.strictObject({
    func: z.literal('robust_vol_calc'),
    days: z.number().positive().optional(),
    minPeriods: z.number().int().min(0).optional(),
    volAbsMin: z.number().min(0).optional(),
    volFloor: z.boolean().optional(),
    floorMinQuant: z.number().min(0).max(1).optional(),
    floorMinPeriods: z.number().int().min(0).optional(),
    floorDays: z.number().int().positive().optional(),
    backfill: z.boolean().optional(),
  }),
]);

export const backtestConfigSchema = z.strictObject({
  trading_rules: z.record(z.string(), rule).optional(),
  forecast_scalars: weights.optional(),
  forecast_weights: weights.optional(),
  forecast_div_multiplier: z.number().positive().optional(),
  forecast_cap: z.number().positive().optional(),
  forecast_weight_ewma_span: z.number().positive().optional(),
  instrument_weights: weights.optional(),
  instrument_div_multiplier: z.number().positive().optional(),
  instrument_weight_ewma_span: z.number().positive().optional(),
  percentage_vol_target: z.number().positive().optional(),
  average_absolute_forecast: z.number().positive().optional(),
  volatility_calculation: vol.optional(),
  buffer_method: z.enum(['forecast', 'position', 'none']).optional(),
  buffer_size: z.number().min(0).optional(),
  base_currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  long_only_instruments: z.array(z.string()).optional(),
});

/** Defaults overridden by a strategy's backtest config; throws naming the bad key. */
export function strategySystemConfig(raw: unknown, baseCurrency?: string): ClassicSystemConfig {
  const parsed = backtestConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`backtest_config: ${i ? `${i.path.join('.')}: ${i.message}` : 'invalid'}`);
  }
  const overrides = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
  // the production base currency overrides the backtest's (digest §7.8)
  return classicSystemConfig({ ...overrides, ...(baseCurrency ? { base_currency: baseCurrency } : {}) });
}
