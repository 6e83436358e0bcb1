import type { ContractId } from '../port.ts';
import { Prng } from './prng.ts';

/** Where the simulated broker takes prices from: the last (mid) price per contract at a time. */
export interface SimPriceSource {
  lastPrice(contract: ContractId, time: number): number;
}

export const contractKey = (c: ContractId): string => `${c.instrumentCode}/${c.contractDate}`;

/** The same price for every contract, or per-contract constants. */
export class ConstantPriceSource implements SimPriceSource {
  constructor(
    private readonly price = 100,
    private readonly perContract: Record<string, number> = {},
  ) {}

  lastPrice(contract: ContractId): number {
    return this.perContract[contractKey(contract)] ?? this.perContract[contract.instrumentCode] ?? this.price;
  }
}

/**
 * A seeded random walk per contract, stepping once per `stepMs` of clock time. Deterministic:
 * the path of a contract depends only on the seed, the contract and the step number.
 */
export class RandomWalkPriceSource implements SimPriceSource {
  private readonly paths = new Map<string, { start: number; prices: number[]; rng: Prng }>();
  private origin: number | undefined;

  constructor(
    private readonly opts: {
      seed: number;
      start?: number;
      volPerStep?: number;
      stepMs?: number;
      origin?: number;
    },
  ) {}

  lastPrice(contract: ContractId, time: number): number {
    const key = contractKey(contract);
    let path = this.paths.get(key);
    if (!path) {
      let h = this.opts.seed >>> 0;
      for (const ch of key) h = (Math.imul(h ^ ch.charCodeAt(0), 16777619) + 1) >>> 0;
      path = { start: this.opts.start ?? 100, prices: [this.opts.start ?? 100], rng: new Prng(h) };
      this.paths.set(key, path);
    }
    // The walk starts at `origin` (default: the first time a price is asked for).
    this.origin ??= this.opts.origin ?? time;
    const step = Math.max(0, Math.floor((time - this.origin) / (this.opts.stepMs ?? 60_000)));
    const vol = this.opts.volPerStep ?? 0.1;
    // Cap the memory of a path; far-future steps reuse the walk's last point.
    const target = Math.min(step, 1_000_000);
    while (path.prices.length <= target) {
      const last = path.prices[path.prices.length - 1] ?? path.start;
      path.prices.push(Math.max(0.01, last + vol * path.rng.normal()));
    }
    return path.prices[target] ?? path.start;
  }
}
