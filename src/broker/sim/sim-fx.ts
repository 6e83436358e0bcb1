/**
 * The simulated broker's cash desk (interactive_order_stack "Cash FX trade"): spot FX market
 * orders fill at once at the simulated market's rate (`<CCY>USD` rates crossed through USD), and
 * cash balances per currency are the account's value in USD plus what the FX trades moved.
 * Trades are kept through the broker's store (so every process sees them). A pair with no rate
 * is refused; nothing is recorded. Simplification: net liquidation does not revalue foreign cash.
 */
import type { CashBalance, FxOrderRequest, PlacedOrder } from '../port.ts';
import type { SimFxSource } from './sim-config.ts';

/** One spot FX trade as the simulated broker keeps it (JSON-safe). */
export interface SimFxTrade {
  orderRef: string;
  tempId: number;
  ccy1: string;
  ccy2: string;
  /** Signed units of ccy1 (bought > 0). */
  qty: number;
  /** Units of ccy2 per unit of ccy1. */
  price: number;
  time: number;
}

export class SimFxNoRate extends Error {
  override readonly name = 'SimFxNoRate';
}

export class SimFxDesk {
  private readonly trades = new Map<string, SimFxTrade>();

  constructor(
    private readonly fx: SimFxSource | undefined,
    private readonly save: (t: SimFxTrade) => Promise<void>,
  ) {}

  restore(trades: SimFxTrade[]): void {
    for (const t of trades) this.trades.set(t.orderRef, t);
  }

  maxTempId(): number {
    return Math.max(0, ...[...this.trades.values()].map((t) => t.tempId));
  }

  /** Units of ccy2 per unit of ccy1 at `time`, through USD; undefined when a rate is missing. */
  rate(ccy1: string, ccy2: string, time: number): number | undefined {
    const usd = (c: string) => (c === 'USD' ? 1 : this.fx?.fxRate(`${c}USD`, time));
    const a = usd(ccy1);
    const b = usd(ccy2);
    return a === undefined || b === undefined || !(b > 0) ? undefined : a / b;
  }

  async place(req: FxOrderRequest, tempId: () => number, now: number): Promise<PlacedOrder> {
    const known = this.trades.get(req.orderRef);
    if (known) return placed(known, true);
    const price = this.rate(req.ccy1, req.ccy2, now);
    if (price === undefined)
      throw new SimFxNoRate(
        `sim broker: no FX rate for ${req.ccy1}${req.ccy2} (no ${req.ccy1}USD or ${req.ccy2}USD)`,
      );
    const t: SimFxTrade = { ...req, tempId: tempId(), price, time: now };
    this.trades.set(t.orderRef, t);
    await this.save(t);
    return placed(t, false);
  }

  /** USD: the account value plus the USD legs of the trades; every other currency its legs. */
  balances(accountValueUsd: number): CashBalance[] {
    const by = new Map<string, number>([['USD', accountValueUsd]]);
    for (const t of this.trades.values()) {
      by.set(t.ccy1, (by.get(t.ccy1) ?? 0) + t.qty);
      by.set(t.ccy2, (by.get(t.ccy2) ?? 0) - t.qty * t.price);
    }
    return [...by]
      .map(([currency, balance]) => ({ currency, balance }))
      .sort((x, y) => x.currency.localeCompare(y.currency));
  }
}

const placed = (t: SimFxTrade, existing: boolean): PlacedOrder => ({
  orderRef: t.orderRef,
  tempId: t.tempId,
  permId: 0,
  submittedAt: t.time,
  existing,
});
