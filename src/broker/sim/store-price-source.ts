import type { PriceStore } from '../../store/price-store.ts';
import type { ContractId } from '../port.ts';
import type { SimPriceSource } from './price-source.ts';
import { Prng } from './prng.ts';

const HOUR = 3_600_000;

interface Anchor {
  price: number;
  time: number;
}

/** `YYYYMM`, `YYYYMM00` and `YYYYMMDD` name the same month for the simulated market. */
const monthKey = (c: ContractId): string => `${c.instrumentCode}/${c.contractDate.slice(0, 6)}`;

/**
 * The simulated broker's market, continuing the stored prices: each contract starts at its last
 * stored price (multiple prices: price, forward and carry contracts) and then follows a seeded
 * hourly random walk with the instrument's own recent daily volatility. The path depends only on
 * the seed, the contract and the hour, so every process (prices, capital, stack handler) that asks
 * about the same contract at the same time sees the same price.
 */
export class StorePriceSource implements SimPriceSource {
  private readonly paths = new Map<string, number[]>();

  private constructor(
    private readonly anchors: Map<string, Anchor>,
    private readonly instrumentAnchor: Map<string, Anchor>,
    private readonly dailyVol: Map<string, number>,
    private readonly seed: number,
  ) {}

  static async load(store: PriceStore, seed: number): Promise<StorePriceSource> {
    const anchors = new Map<string, Anchor>();
    const byInstrument = new Map<string, Anchor>();
    const vols = new Map<string, number>();
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
            anchors.set(monthKey({ instrumentCode: code, contractDate: contract }), { price: p, time });
            break;
          }
        }
      }
      const priced = anchors.get(
        monthKey({ instrumentCode: code, contractDate: m.priceContract[last] ?? '' }),
      );
      if (priced) byInstrument.set(code, priced);
      vols.set(code, recentDailyVol(m.price));
    }
    return new StorePriceSource(anchors, byInstrument, vols, seed);
  }

  lastPrice(contract: ContractId, time: number): number {
    const key = monthKey(contract);
    const anchor = this.anchors.get(key) ?? this.instrumentAnchor.get(contract.instrumentCode);
    if (!anchor) return 100;
    const sigma = (this.dailyVol.get(contract.instrumentCode) ?? 0.01) / Math.sqrt(24);
    const step = Math.floor((time - anchor.time) / HOUR);
    // After the last stored price the walk goes forward; before it (bars asked for history of a
    // contract with no stored per-contract prices) a separate walk goes back, so history has the
    // instrument's volatility too instead of a flat line that would make the first move a spike.
    const logMove = step >= 0 ? this.walk(key, step, sigma) : this.walk(`${key}/back`, -step, sigma);
    return anchor.price * Math.exp(logMove);
  }

  /** Cumulative log move after `n` hourly steps; each step has its own seed (order-independent). */
  private walk(key: string, n: number, sigma: number): number {
    let path = this.paths.get(key);
    if (!path) {
      path = [0];
      this.paths.set(key, path);
    }
    const target = Math.min(n, 24 * 366 * 5);
    while (path.length <= target) {
      const z = new Prng(hash(`${this.seed}/${key}/${path.length}`)).normal();
      path.push(path[path.length - 1]! + sigma * z);
    }
    return path[target]!;
  }
}

/** Standard deviation of daily log changes over the last ~60 rows (at least 0.2%). */
function recentDailyVol(prices: Float64Array): number {
  const moves: number[] = [];
  for (let i = prices.length - 1; i > 0 && moves.length < 60; i--) {
    const a = prices[i - 1]!;
    const b = prices[i]!;
    if (a > 0 && b > 0) moves.push(Math.log(b / a));
  }
  if (moves.length < 2) return 0.01;
  const mean = moves.reduce((s, x) => s + x, 0) / moves.length;
  const v = moves.reduce((s, x) => s + (x - mean) ** 2, 0) / (moves.length - 1);
  return Math.max(0.002, Math.sqrt(v));
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
}
