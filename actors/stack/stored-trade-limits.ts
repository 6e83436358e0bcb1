/**
 * The stack handler's trade limits port (digest D2.3, D4a, F9) on the stored limits of
 * `TradeLimitsStore` (KV, revision-checked): the broker-order creation check reads the spare
 * capacity from KV every time (so a limit set or reset with `systack control trade-limits` binds
 * at once), after the charges still being written; each charge is written at once in the
 * background, and `flush()` (called by `StackHandler.close`) waits for them. A charge names its
 * broker order, so one a crash may have lost is made again at restore and counts once
 * (trade-limit-charges.ts).
 */
import type { TradeLimitChargeItem } from '../../src/domain/orders/trade-limits.ts';
import type { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import { logCritical, type StackLogger, type TradeLimits } from './ports.ts';

export function storedTradeLimits(store: TradeLimitsStore, log: StackLogger): TradeLimits {
  const pending = new Set<Promise<void>>();
  const flush = async () => {
    while (pending.size > 0) await Promise.all([...pending]);
  };
  const write = (items: readonly TradeLimitChargeItem[], now: number) => {
    const p: Promise<void> = store
      .chargeMany(items, now)
      .catch((err: unknown) =>
        logCritical(
          log,
          'trade limit charge not stored: the count is low by this quantity until a restart charges it again',
          {
            charges: items.map((c) => ({
              strategy_name: c.strategyName,
              instrument_code: c.instrumentCode,
              qty: c.qty,
              key: c.charge?.key,
            })),
            err: String(err),
          },
        ),
      )
      .finally(() => pending.delete(p));
    pending.add(p);
  };
  return {
    // Charges still being written count: wait for them before reading the spare capacity.
    async allowed(strategyName, instrumentCode, now) {
      await flush();
      return store.allowed(strategyName, instrumentCode, now);
    },
    charge(strategyName, instrumentCode, qty, now, charge) {
      write([{ strategyName, instrumentCode, qty, charge }], now);
    },
    chargeMany(items, now) {
      if (items.length > 0) write(items, now);
    },
    flush,
  };
}
