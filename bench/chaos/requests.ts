/**
 * The chaos suite's order requests: deterministic from the seed, so a restarted generator and
 * the final check agree on what was asked. Requests go round the (strategy, instrument) keys; a
 * key gets its next request only when its previous one has left the queue and its instrument
 * order is no longer active, so netting on insert (digest B5) never changes a request, and every
 * key's strategy position must end as the sum of its requests' trades.
 */
import { Prng } from '../../src/broker/sim/prng.ts';

export interface ChaosRequest {
  index: number;
  strategy: string;
  instrument: string;
  trade: number;
}

export function chaosRequests(
  seed: number,
  count: number,
  strategies: string[],
  instruments: string[],
): ChaosRequest[] {
  const prng = new Prng(seed ^ 0x5eed);
  const keys = strategies.flatMap((s) => instruments.map((i) => [s, i] as const));
  return Array.from({ length: count }, (_, index) => {
    const [strategy, instrument] = keys[index % keys.length]!;
    const size = prng.int(1, 3);
    return { index, strategy, instrument, trade: prng.chance(0.5) ? size : -size };
  });
}

export const keyOf = (strategy: string, instrument: string): string => `${strategy}/${instrument}`;

/** Expected strategy position per key: the sum of its requests' trades. */
export function expectedPositions(requests: ChaosRequest[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of requests) {
    const k = keyOf(r.strategy, r.instrument);
    out.set(k, (out.get(k) ?? 0) + r.trade);
  }
  return out;
}
