import type { StackCore } from './core.ts';
import { sendAlgo } from './algo-actors.ts';
import { algoQuote } from './algo-quote.ts';
import { performAlgo } from './algo-events.ts';

/**
 * CLOCK_TICK for the algo actors (algo-actors.ts). Each working algo hears the time from the
 * injected clock (its deadlines are timestamps in its machine's context, so a restored algo is
 * re-armed by the next tick) and, when its order is a resting limit, the quote (PRICE_SNAPSHOT, or
 * PRICE_DATA_ERROR when there is none, E2.6; a spread quoted as one contract). The machines decide:
 * cancel at the time-out, passive → aggressive on the passive time-out, an adverse price move or
 * size, the close, or no valid quote; aggressive keeps the limit at the side price (at most one
 * modification in flight, none when the price is unchanged: #949). What they ask for is performed
 * here (algos.ts performAlgo).
 */
export async function algoTick(core: StackCore): Promise<void> {
  const now = core.now();
  const work = core.activeOrders(
    'broker',
    (b) =>
      b.algo !== undefined &&
      b.brokerStatus === 'submitted' &&
      b.fill !== b.trade &&
      core.algos.view(b.algo).state !== 'done',
  );
  await Promise.all(
    work.map(async (bo) => {
      if (bo.algo?.name === 'best' && bo.brokerOrderType === 'limit') {
        const q = await algoQuote(core, bo);
        const live = core.brokerOrder(bo.id);
        if (!live) return;
        const event =
          'quote' in q
            ? { type: 'PRICE_SNAPSHOT' as const, snapshot: { ...q.quote, at: now } }
            : { type: 'PRICE_DATA_ERROR' as const, message: q.reason };
        await performAlgo(core, live, sendAlgo(core, live, event));
      }
      const live = core.brokerOrder(bo.id);
      if (live) await performAlgo(core, live, sendAlgo(core, live, { type: 'CLOCK_TICK', now }));
    }),
  );
}
