import type { PriceStore } from '../../store/price-store.ts';
import type { ContractId } from '../port.ts';
import type { SimPriceSource } from './price-source.ts';
import { Prng } from './prng.ts';
import { ALWAYS_OPEN, HOUR_MS, type TradingCalendar } from './sessions.ts';

export interface Anchor {
  price: number;
  time: number;
}

/**
 * Where the simulated market starts: each contract's and FX rate's last stored price, and each
 * series' recent daily volatility. Taken once, when the market is first opened, and kept (the
 * sim broker's KV store), so every process and every restart walks from the same points: were
 * it taken afresh from the store, each day's appended price would restart the walk somewhere
 * else, and the next price update would see a jump.
 */
export interface SimMarketAnchors {
  contracts: Record<string, Anchor>;
  instruments: Record<string, Anchor>;
  /** Relative (log) daily volatility per instrument / FX code. */
  dailyVol: Record<string, number>;
  fx: Record<string, Anchor>;
}

/** `YYYYMM`, `YYYYMM00` and `YYYYMMDD` name the same month for the simulated market. */
const monthKey = (c: ContractId): string => `${c.instrumentCode}/${c.contractDate.slice(0, 6)}`;

/** Relative daily volatility of the last ~60 daily moves of a (roll-free) series, at least 0.01%. */
export function recentDailyVol(values: Float64Array, level: number): number {
  const moves: number[] = [];
  for (let i = values.length - 1; i > 0 && moves.length < 60; i--) {
    const a = values[i - 1]!;
    const b = values[i]!;
    if (Number.isFinite(a) && Number.isFinite(b)) moves.push(b - a);
  }
  if (moves.length < 2 || !(level > 0)) return 0.01;
  const mean = moves.reduce((s, x) => s + x, 0) / moves.length;
  const v = moves.reduce((s, x) => s + (x - mean) ** 2, 0) / (moves.length - 1);
  return Math.max(0.0001, Math.sqrt(v) / level);
}

/** Read the anchors from the price store (multiple prices, adjusted prices for vol, FX). */
export async function anchorsFromStore(store: PriceStore): Promise<SimMarketAnchors> {
  const out: SimMarketAnchors = { contracts: {}, instruments: {}, dailyVol: {}, fx: {} };
  for (const code of await store.listMultiplePrices()) {
    const m = await store.getMultiplePrices(code);
    if (!m || m.times.length === 0) continue;
    const last = m.times.length - 1;
    const time = m.times[last]!;
    const legs: Array<[string[], Float64Array]> = [
      [m.priceContract, m.price],
      [m.forwardContract, m.forward],
      [m.carryContract, m.carry],
    ];
    for (const [contracts, prices] of legs) {
      // the last finite price of that leg's current contract
      for (let i = last; i >= Math.max(0, last - 20); i--) {
        const p = prices[i]!;
        const contract = contracts[i];
        if (Number.isFinite(p) && contract && contract === contracts[last]) {
          out.contracts[monthKey({ instrumentCode: code, contractDate: contract })] = { price: p, time };
          break;
        }
      }
    }
    const priced =
      out.contracts[monthKey({ instrumentCode: code, contractDate: m.priceContract[last] ?? '' })];
    if (!priced) continue;
    out.instruments[code] = priced;
    const adjusted = await store.getAdjustedPrices(code);
    out.dailyVol[code] = recentDailyVol(adjusted?.values ?? m.price, priced.price);
  }
  for (const code of await store.listFxPrices()) {
    const fx = await store.getFxPrices(code);
    const n = fx?.times.length ?? 0;
    if (!fx || n === 0) continue;
    out.fx[code] = { price: fx.values[n - 1]!, time: fx.times[n - 1]! };
    out.dailyVol[code] = recentDailyVol(fx.values, fx.values[n - 1]!);
  }
  return out;
}

/** Open hours per trading day of a calendar (one week's open hours / its daily closes). */
function openHoursPerDay(calendar: TradingCalendar): number {
  const monday = Date.UTC(2024, 0, 8); // any week without holidays in the bundled calendars
  let hours = 0;
  for (let h = 0; h < 7 * 24; h++) if (calendar.isOpen(monday + h * HOUR_MS)) hours++;
  const closes = calendar.closesBetween(monday - 1, monday + 7 * 86_400_000 - 1).length;
  return closes > 0 ? hours / closes : 24;
}

/**
 * The simulated broker's market, continuing the stored prices: each contract starts at its
 * anchor and then follows a seeded random walk in log price that moves once per hour while the
 * instrument's market is open (never on weekends or holidays), with hourly volatility = the
 * instrument's daily volatility / √(open hours a day). The walk depends only on the seed, the
 * contract, the anchors and the hour, so every process that asks about the same contract at the
 * same time sees the same price. FX rates walk the same way on the FX calendar.
 */
export class StorePriceSource implements SimPriceSource {
  private readonly paths = new Map<string, number[]>();
  private readonly hoursPerDay = new Map<TradingCalendar, number>();

  constructor(
    readonly anchors: SimMarketAnchors,
    private readonly seed: number,
    private readonly calendarOf: (instrumentCode: string) => TradingCalendar = () => ALWAYS_OPEN,
    private readonly fxCalendar: TradingCalendar = ALWAYS_OPEN,
  ) {}

  /** Anchors from the store, as the market first opens (tests; processes keep theirs, see kv-store). */
  static async load(store: PriceStore, seed: number): Promise<StorePriceSource> {
    return new StorePriceSource(await anchorsFromStore(store), seed);
  }

  lastPrice(contract: ContractId, time: number): number {
    const key = monthKey(contract);
    const anchor = this.anchors.contracts[key] ?? this.anchors.instruments[contract.instrumentCode];
    if (!anchor) return 100;
    const vol = this.anchors.dailyVol[contract.instrumentCode] ?? 0.01;
    return (
      anchor.price *
      Math.exp(this.move(key, anchor.time, time, vol, this.calendarOf(contract.instrumentCode)))
    );
  }

  /** The FX rate (e.g. EURUSD) at a time, or undefined for a pair the market does not know. */
  fxRate(code: string, time: number): number | undefined {
    const anchor = this.anchors.fx[code];
    if (!anchor) return undefined;
    const vol = this.anchors.dailyVol[code] ?? 0.005;
    return anchor.price * Math.exp(this.move(`fx/${code}`, anchor.time, time, vol, this.fxCalendar));
  }

  /** Log move from the anchor time to `time`: one step per open hour between them. */
  private move(key: string, from: number, time: number, dailyVol: number, calendar: TradingCalendar): number {
    let perDay = this.hoursPerDay.get(calendar);
    if (perDay === undefined) {
      perDay = openHoursPerDay(calendar);
      this.hoursPerDay.set(calendar, perDay);
    }
    const sigma = dailyVol / Math.sqrt(perDay);
    const a = Math.floor(from / HOUR_MS);
    const h = Math.floor(time / HOUR_MS);
    // After the anchor the walk goes forward; before it (history asked for a contract with no
    // stored per-contract prices) a separate walk goes back, so history has the instrument's
    // volatility too instead of a flat line that would make the first move a spike.
    if (h >= a) return this.walk(key, a, h - a, sigma, calendar, 1);
    return -this.walk(`${key}/back`, a, a - h, sigma, calendar, -1);
  }

  /** Cumulative log move after `n` hourly steps from hour `a` in direction `dir` (order-independent). */
  private walk(
    key: string,
    a: number,
    n: number,
    sigma: number,
    calendar: TradingCalendar,
    dir: 1 | -1,
  ): number {
    const id = `${key}@${a}`;
    let path = this.paths.get(id);
    if (!path) {
      path = [0];
      this.paths.set(id, path);
    }
    const target = Math.min(n, 24 * 366 * 5);
    while (path.length <= target) {
      const k = path.length;
      // forward: the step of hour a+k; back: the step of hour a−k+1 (undoing it)
      const hour = dir > 0 ? a + k : a - k + 1;
      const open = calendar.isOpen(hour * HOUR_MS);
      const z = open ? new Prng(hash(`${this.seed}/${key}/${k}`)).normal() : 0;
      path.push(path[k - 1]! + sigma * z);
    }
    return path[target]!;
  }
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}
