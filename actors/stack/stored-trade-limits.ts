/**
 * The stack handler's trade limits port (digest D2.3, D4a, F9) on the stored limits of
 * `TradeLimitsStore` (KV, revision-checked): the broker-order creation check reads the spare
 * capacity from KV every time (so a limit set or reset with `systack control trade-limits` binds
 * at once), after the charges still being written; each charge is written at once in the
 * background, and `flush()` (called by `StackHandler.close`) waits for them. A charge names its
 * broker order, so one a crash may have lost is made again at restore and counts once
 * (trade-limit-charges.ts); a named charge this process already wrote (or is writing) is not
 * written again (the last `SEEN_KEYS` keys are remembered; the store counts it once anyway).
 */
import type { TradeLimitChargeItem } from '../../src/domain/orders/trade-limits.ts';
import type { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import { logCritical, type StackLogger, type TradeLimits } from './ports.ts';

const SEEN_KEYS = 10_000;

export function storedTradeLimits(store: TradeLimitsStore, log: StackLogger): TradeLimits {
  const pending = new Set<Promise<void>>();
  const seen = new Set<string>();
  const flush = async () => {
    while (pending.size > 0) await Promise.all([...pending]);
  };
  const write = (all: readonly TradeLimitChargeItem[], now: number) => {
    const items = all.filter((c) => !c.charge || !seen.has(c.charge.key));
    if (items.length === 0) return;
    for (const c of items) if (c.charge) seen.add(c.charge.key);
    for (const k of seen) {
      if (seen.size <= SEEN_KEYS) break;
      seen.delete(k); // the oldest first (a Set keeps insertion order)
    }
    const p: Promise<void> = store
      .chargeMany(items, now)
      .catch((err: unknown) => {
        // Not stored: made again (here, or by the next restore) it is written again.
        for (const c of items) if (c.charge) seen.delete(c.charge.key);
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
        );
      })
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
