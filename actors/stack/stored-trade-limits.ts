/**
 * The stack handler's trade limits port (digest D2.3, D4a, F9) on the stored limits of
 * `TradeLimitsStore` (KV, revision-checked): the broker-order creation check reads the spare
 * capacity from KV every time (so a limit set or reset with `systack control trade-limits` binds
 * at once), after the charges still being written; each charge is written at once in the
 * background, and `flush()` (called by `StackHandler.close`) waits for them.
 */
import type { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import { logCritical, type StackLogger, type TradeLimits } from './ports.ts';

export function storedTradeLimits(store: TradeLimitsStore, log: StackLogger): TradeLimits {
  const pending = new Set<Promise<void>>();
  const flush = async () => {
    while (pending.size > 0) await Promise.all([...pending]);
  };
  return {
    // Charges still being written count: wait for them before reading the spare capacity.
    async allowed(strategyName, instrumentCode, now) {
      await flush();
      return store.allowed(strategyName, instrumentCode, now);
    },
    charge(strategyName, instrumentCode, qty, now) {
      const p: Promise<void> = store
        .charge(strategyName, instrumentCode, qty, now)
        .catch((err: unknown) =>
          logCritical(log, 'trade limit charge not stored: the count is low by this quantity', {
            strategy_name: strategyName,
            instrument_code: instrumentCode,
            qty,
            err: String(err),
          }),
        )
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    flush,
  };
}
