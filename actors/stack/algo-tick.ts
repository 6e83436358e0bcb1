import type { StackCore } from './core.ts';
import { algoQuote, toBrokerPrice } from './algo-quote.ts';
import { adverseSize, marketClosing, okayToTradeNow } from './market.ts';
import { sendBroker } from './order-actors.ts';

/**
 * CLOCK_TICK for the algos (E1/E2 manage loops as deadlines kept in the broker order, so a
 * restored host re-arms them): time out and cancel; passive → aggressive on timeout, adverse price
 * move, adverse size, market closing or no valid quote (E2.6); aggressive keeps the limit at the
 * side price (one modify per tick, not a 1 ms spin: #949). A spread is quoted as one contract.
 */
export async function algoTick(core: StackCore): Promise<void> {
  const now = core.now();
  const work = core.activeOrders(
    'broker',
    (b) => b.brokerStatus === 'submitted' && b.fill !== b.trade && b.algo.mode !== 'unmanaged',
  );
  await Promise.all(
    work.map(async (bo) => {
      const { broker } = core.deps;
      if (bo.algo.totalUntil !== undefined && now >= bo.algo.totalUntil) {
        core.host.change('broker', bo.id, 'ALGO_TIMEOUT', (b) => {
          b.algo.cancelSentAt = now;
        });
        sendBroker(core, bo.id, { type: 'CANCEL_REQUESTED' });
        await broker
          .cancelOrder(bo.orderRef)
          .catch((e: unknown) => core.log.warn({ err: String(e) }, 'cancel failed'));
        return;
      }
      if (bo.brokerOrderType !== 'limit') return;
      // an outright's quote, or a spread's own quote in the stack's terms (priced − forward)
      const q = await algoQuote(core, bo);
      const snap = 'quote' in q ? q.quote : undefined;
      const sidePrice = snap ? (bo.trade > 0 ? snap.ask : snap.bid) : undefined;
      const offside = snap ? (bo.trade > 0 ? snap.bid : snap.ask) : undefined;
      if (bo.algo.mode === 'passive') {
        const ref = bo.algo.referenceOffside;
        const adverse =
          ref !== undefined && offside !== undefined && (bo.trade > 0 ? offside > ref : offside < ref);
        const thin = snap !== undefined && adverseSize(bo.trade - bo.fill, snap.bidSize, snap.askSize);
        const timeUp = bo.algo.passiveUntil !== undefined && now >= bo.algo.passiveUntil;
        const parent = bo.parent === undefined ? undefined : core.contractOrder(bo.parent);
        const closing = parent
          ? !(await okayToTradeNow(core, parent)) || (await marketClosing(core, parent))
          : false;
        if (!(timeUp || adverse || thin || closing || snap === undefined)) return;
        core.host.change('broker', bo.id, 'ALGO_AGGRESSIVE', (b) => {
          b.algo.mode = 'aggressive';
        });
      }
      if (sidePrice !== undefined && sidePrice !== core.brokerOrder(bo.id)?.limitPrice) {
        sendBroker(core, bo.id, { type: 'MODIFIED', limitPrice: sidePrice });
        const limitPrice = toBrokerPrice(bo, sidePrice);
        await broker.modifyOrder(bo.orderRef, { limitPrice }).catch((e: unknown) => {
          core.log.warn({ broker_order_id: bo.id, err: String(e) }, 'modify failed');
        });
      }
    }),
  );
}
