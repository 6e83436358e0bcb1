import type {
  AccountValue,
  BarFrequency,
  ContractDetails,
  ContractId,
  MarketSnapshot,
  PriceBar,
  TradingHours,
} from '../port.ts';
import type { SimPriceSource } from './price-source.ts';
import type { SimBrokerConfig } from './sim-config.ts';

const DAY = 86_400_000;

/** Market data of the simulated broker: quotes with the configured spread, bars, hours. */
export class SimMarketData {
  constructor(
    private readonly cfg: SimBrokerConfig,
    private readonly prices: SimPriceSource,
  ) {}

  /** Bid and ask around the source's price, the spread from the spread-cost config. */
  quote(c: ContractId, now: number): { bid: number; ask: number } {
    const mid = this.prices.lastPrice(c, now);
    const half = (this.cfg.spreads?.[c.instrumentCode] ?? this.cfg.defaultSpread ?? 0.02) / 2;
    return { bid: mid - half, ask: mid + half };
  }

  async accountValue(): Promise<AccountValue> {
    return { value: this.cfg.accountValue ?? 1_000_000, currency: 'USD', time: this.cfg.clock.now() };
  }

  async contractDetails(c: ContractId): Promise<ContractDetails> {
    return {
      ...c,
      expiryDate: c.contractDate.padEnd(8, '0'),
      multiplier: 1,
      currency: 'USD',
      exchange: 'SIM',
      tickSize: 0.01,
    };
  }

  async historicalPrices(c: ContractId, frequency: BarFrequency, since?: number): Promise<PriceBar[]> {
    const step = { D: DAY, H: 3_600_000, '5M': 300_000, '1M': 60_000 }[frequency];
    const now = this.cfg.clock.now();
    const bars: PriceBar[] = [];
    for (let t = since ?? now - 30 * step; t <= now && bars.length < 10_000; t += step) {
      const p = this.prices.lastPrice(c, t);
      bars.push({ time: t, open: p, high: p, low: p, close: p, volume: 100 });
    }
    return bars;
  }

  async fxHistoricalPrices(): Promise<Array<{ time: number; price: number }>> {
    return [{ time: this.cfg.clock.now(), price: 1 }];
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
      last: (bid + ask) / 2,
      time: now,
    };
  }

  async tradingHours(c: ContractId): Promise<TradingHours> {
    const now = this.cfg.clock.now();
    if (this.cfg.tradingHours) return this.cfg.tradingHours(c, now);
    const day = Math.floor(now / DAY) * DAY;
    return { sessions: [{ open: day, close: day + DAY }] };
  }
}
