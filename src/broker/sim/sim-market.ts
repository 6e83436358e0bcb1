import type {
  AccountValue,
  BarFrequency,
  BrokerFill,
  ContractDetails,
  ContractId,
  MarketSnapshot,
  PriceBar,
  TradingHours,
} from '../port.ts';
import type { SimPriceSource } from './price-source.ts';
import { HOUR_MS } from './sessions.ts';
import { approximateExpiry } from '../../domain/prices/contract-dates.ts';
import type { RollParameters } from '../../domain/prices/types.ts';

const NO_ROLL: RollParameters = {
  holdRollCycle: '',
  rollOffsetDays: 0,
  carryOffset: 0,
  pricedRollCycle: '',
  expiryOffset: 0,
};
import type { SimBrokerConfig, SimInstrumentTerms } from './sim-config.ts';

const DAY = 86_400_000;
const NOTIONAL_CLOSE = 23 * HOUR_MS;
/** The simulated exchange's maintenance margin: 10% of a position's notional value. */
export const SIM_MARGIN_FRACTION = 0.1;
const BAR_MS: Record<BarFrequency, number> = { D: DAY, H: HOUR_MS, '5M': 300_000, '1M': 60_000 };

/** The simulated market cannot value something: an error, never a zero. */
export class SimMarketError extends Error {
  override name = 'SimMarketError';
}

const decimals = (tick: number): number => {
  const s = tick.toString();
  return s.includes('e-') ? Number(s.split('e-')[1]) : (s.split('.')[1]?.length ?? 0);
};

/** `n` ticks as a price, without binary noise (0.1 · 3 → 0.3). */
export function ticks(n: number, tick: number): number {
  return Number((n * tick).toFixed(decimals(tick)));
}

/** The price on the tick grid nearest to `p`. */
export const roundToTick = (p: number, tick: number): number => ticks(Math.round(p / tick), tick);

/**
 * Market data of the simulated broker: quotes on the tick grid with the configured spread, bars
 * only for hours and days the market was open, the daily close that marks the account.
 */
export class SimMarketData {
  constructor(
    private readonly cfg: SimBrokerConfig,
    private readonly prices: SimPriceSource,
  ) {}

  terms(c: ContractId): SimInstrumentTerms | undefined {
    return this.cfg.terms?.(c.instrumentCode);
  }

  /** Is the contract's market open at `t`? (Always, on the plain test market.) */
  isOpen(c: ContractId, t: number): boolean {
    if (this.cfg.tradingHours)
      return this.cfg.tradingHours(c, t).sessions.some((s) => s.open <= t && t < s.close);
    return this.terms(c)?.calendar.isOpen(t) ?? true;
  }

  /** The last traded price: the walk's price on the tick grid. */
  last(c: ContractId, t: number): number {
    const p = this.prices.lastPrice(c, t);
    const terms = this.terms(c);
    return terms ? roundToTick(p, terms.tickSize) : p;
  }

  /** Bid and ask: a whole number of ticks apart (the spread-cost config), around the walk's price. */
  quote(c: ContractId, now: number): { bid: number; ask: number } {
    const mid = this.prices.lastPrice(c, now);
    const terms = this.terms(c);
    if (!terms) {
      const half = (this.cfg.spreads?.[c.instrumentCode] ?? this.cfg.defaultSpread ?? 0.02) / 2;
      return { bid: mid - half, ask: mid + half };
    }
    const k = Math.round(mid / terms.tickSize - terms.spreadTicks / 2);
    return { bid: ticks(k, terms.tickSize), ask: ticks(k + terms.spreadTicks, terms.tickSize) };
  }

  /** The reference's commission for a fill, in the instrument's currency, to the cent. */
  commission(c: ContractId, qty: number, price: number): number {
    const terms = this.terms(c);
    if (!terms) return 0;
    const { perBlock, percentage, perTrade } = terms.commission;
    const n = Math.abs(qty);
    const raw = Math.max(perBlock * n, percentage * n * price * terms.pointSize, perTrade);
    return Math.round(raw * 100) / 100;
  }

  /**
   * The contract's mark at `t`: the price at its last daily close whose notional stamp (23:00 of
   * the close's date, as daily prices are stored) is at or before `t`, so the account is marked
   * at the same daily price the P&L report reads from the store.
   */
  mark(c: ContractId, t: number): { price: number; close: number } | undefined {
    const calendar = this.terms(c)?.calendar;
    let close = calendar?.lastClose(t);
    while (close !== undefined && Math.floor(close / DAY) * DAY + NOTIONAL_CLOSE > t)
      close = calendar?.lastClose(close - 1);
    if (close === undefined) return undefined;
    return { price: this.last(c, close), close };
  }

  /**
   * Net liquidation value: starting capital + Σ fills qty × (mark − fill price) × point size
   * − commissions, each instrument's currency converted to USD at the mark, with every contract
   * marked at its last daily close (`mark`: the value moves once a day, and with each fill's
   * commission and price against that close). Margin: SIM_MARGIN_FRACTION of the notional value
   * of each open contract position at its mark, in USD (the plain test market reports none).
   */
  accountValue(fills: Iterable<BrokerFill>): AccountValue {
    const now = this.cfg.clock.now();
    let value = this.cfg.accountValue ?? 1_000_000;
    if (!this.cfg.terms) return { value, currency: 'USD', time: now };
    const held = new Map<string, { c: ContractId; qty: number }>();
    for (const f of fills) {
      if (f.time > now) continue;
      const terms = this.terms(f);
      const m = this.mark(f, now);
      if (!terms || !m) throw new SimMarketError(`sim: cannot mark ${f.instrumentCode}/${f.contractDate}`);
      const local = f.qty * (m.price - f.price) * terms.pointSize - (f.commission ?? 0);
      value += local * this.usd(terms.currency, m.close);
      const k = `${f.instrumentCode}/${f.contractDate}`;
      const h = held.get(k) ?? {
        c: { instrumentCode: f.instrumentCode, contractDate: f.contractDate },
        qty: 0,
      };
      h.qty += f.qty;
      held.set(k, h);
    }
    let margin = 0;
    for (const { c, qty } of held.values()) {
      if (qty === 0) continue;
      const terms = this.terms(c)!;
      const m = this.mark(c, now)!;
      margin +=
        Math.abs(qty) * m.price * terms.pointSize * SIM_MARGIN_FRACTION * this.usd(terms.currency, m.close);
    }
    return { value, currency: 'USD', time: now, margin };
  }

  private usd(currency: string, t: number): number {
    if (currency === 'USD') return 1;
    const rate = this.cfg.fx?.fxRate(`${currency}USD`, t);
    if (rate === undefined) throw new SimMarketError(`sim: no ${currency}USD rate`);
    return rate;
  }

  async contractDetails(c: ContractId): Promise<ContractDetails> {
    const terms = this.terms(c);
    return {
      ...c,
      // the 1st of the contract month + the roll config's ExpiryOffset; without one, the month's 1st
      expiryDate: approximateExpiry(c.contractDate, { ...NO_ROLL, expiryOffset: terms?.expiryOffset ?? 0 }),
      multiplier: terms?.pointSize ?? 1,
      currency: terms?.currency ?? 'USD',
      exchange: 'SIM',
      tickSize: terms?.tickSize ?? 0.01,
    };
  }

  /**
   * Bars after `since` (default: the last 30 bars' span). With terms: a daily bar per daily close
   * (stamped at the close's date, its price the close), intraday bars only for open periods that
   * have ended; bars are flat (open = high = low = close) at the walk's price.
   */
  async historicalPrices(c: ContractId, frequency: BarFrequency, since?: number): Promise<PriceBar[]> {
    const step = BAR_MS[frequency];
    const now = this.cfg.clock.now();
    const from = since ?? now - 30 * step;
    const bar = (time: number, p: number): PriceBar => ({
      time,
      open: p,
      high: p,
      low: p,
      close: p,
      volume: 100,
    });
    const terms = this.terms(c);
    if (!terms) {
      const bars: PriceBar[] = [];
      for (let t = from; t <= now && bars.length < 10_000; t += step)
        bars.push(bar(t, this.prices.lastPrice(c, t)));
      return bars;
    }
    if (frequency === 'D')
      return terms.calendar
        .closesBetween(from, now)
        .map((close) => bar(Math.floor(close / DAY) * DAY, this.last(c, close)));
    const bars: PriceBar[] = [];
    for (let t = (Math.floor(from / step) + 1) * step; t + step <= now && bars.length < 10_000; t += step)
      if (terms.calendar.isOpen(t)) bars.push(bar(t, this.last(c, t)));
    return bars;
  }

  /** Daily rates at each FX close (5 decimals), stamped at the notional 23:00 of its date. */
  async fxHistoricalPrices(code: string, since?: number): Promise<Array<{ time: number; price: number }>> {
    const now = this.cfg.clock.now();
    const calendar = this.cfg.fxCalendar;
    if (!this.cfg.fx || !calendar) throw new SimMarketError(`sim: no FX market for ${code}`);
    const out: Array<{ time: number; price: number }> = [];
    for (const close of calendar.closesBetween((since ?? now - 30 * DAY) - NOTIONAL_CLOSE, now)) {
      const time = Math.floor(close / DAY) * DAY + NOTIONAL_CLOSE;
      const rate = this.cfg.fx.fxRate(code, close);
      if (rate === undefined) throw new SimMarketError(`sim: no FX rate for ${code}`);
      if (since === undefined || time > since) out.push({ time, price: Number(rate.toFixed(5)) });
    }
    return out;
  }

  async marketSnapshot(c: ContractId): Promise<MarketSnapshot> {
    const now = this.cfg.clock.now();
    const { bid, ask } = this.quote(c, now);
    const size = this.cfg.topOfBookSize ?? 100;
    // Only the contract's identity: callers pass whole order records as the ContractId.
    return {
      instrumentCode: c.instrumentCode,
      contractDate: c.contractDate,
      bid,
      ask,
      bidSize: size,
      askSize: size,
      last: this.terms(c) ? this.last(c, now) : (bid + ask) / 2,
      time: now,
    };
  }

  async tradingHours(c: ContractId): Promise<TradingHours> {
    const now = this.cfg.clock.now();
    if (this.cfg.tradingHours) return this.cfg.tradingHours(c, now);
    const terms = this.terms(c);
    if (terms) return { sessions: terms.calendar.sessionsAround(now) };
    const day = Math.floor(now / DAY) * DAY;
    return { sessions: [{ open: day, close: day + DAY }] };
  }
}
