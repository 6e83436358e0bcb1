import { submitWithAlgo } from './algos.ts';
import { liquidityCap, okayToTradeNow } from './market.ts';
import type { StackCore } from './core.ts';
import { releaseCreation, releaseCreations } from './spawn.ts';
import { lotsPerUnit } from './trade-limit-charges.ts';
import type { ContractOrder } from './types.ts';

/** D2: the quantity this pass may send for a contract order; never written back to the order. */
export async function resizedQuantity(core: StackCore, co: ContractOrder): Promise<number> {
  let qty = co.trade - co.fill;
  if (co.orderType === 'limit') return qty; // D2.2: limit orders skip trade limits and liquidity
  const allowed = await core.deps.tradeLimits.allowed(co.strategyName, co.instrumentCode, core.now());
  // The cap is in lots: a spread's unit is Σ|legs| lots (F9: a [−1, +1] roll spread counts 2).
  const perUnit = lotsPerUnit(co);
  if (Math.abs(qty) * perUnit > allowed) qty = Math.sign(qty) * Math.floor(allowed / perUnit);
  if (qty === 0) return 0;
  return liquidityCap(core, co, qty);
}

/**
 * create_broker_orders_from_contract_orders (digest D): every active contract order that is not
 * filled, not algo-controlled, not locked and tradeable gets a broker order for its resized
 * remainder, handed to its algo. Algos run on their own (digest A2's blocking loop designed away):
 * this returns once each order is submitted, so one slow algo never holds up the others.
 */
export async function createBrokerOrdersFromContractOrders(core: StackCore): Promise<number[]> {
  const sent: number[] = [];
  if (core.toSend.size === 0) return sent;
  // Only contract orders whose instrument order lists them durably (`toSend`): a crash can then
  // lose no link to an order that traded (restore-links.ts). The queue is read, not the whole
  // stack: a completed order never trades again and leaves it.
  const candidates: ContractOrder[] = [];
  for (const id of core.toSend) {
    const co = core.contractOrder(id);
    // An algo-controlled order leaves the queue until its lock is released: every release puts
    // it back (its machine's `algoReleased`, order-actors.ts; also when a `releasing` order's lock
    // goes once its old broker order settled), as does a restore. A pass looks only at orders with work.
    if (!co?.active || co.referenceOfControllingAlgo !== undefined) {
      core.toSend.delete(id);
      continue;
    }
    if (co.fill !== co.trade && !co.locked) candidates.push(co);
  }
  if (candidates.length === 0) {
    releaseCreations(core);
    return sent;
  }
  candidates.sort((a, b) => a.id - b.id);
  await Promise.all(
    candidates.map(async (co) => {
      try {
        await tryToTrade(co);
      } finally {
        // A new contract order's creation is written with its broker order's step, else now.
        releaseCreation(core, co.id);
      }
    }),
  );
  releaseCreations(core);
  return sent;

  async function tryToTrade(co: ContractOrder): Promise<void> {
    const panic = co.orderType === 'panic';
    if (!panic) {
      if (core.isLocked(co.instrumentCode)) return;
      if (!(await okayToTradeNow(core, co))) return;
    }
    if (co.algoToUse === '') return;
    // D1.4 panic orders skip the resize, but are sent for their remainder, not their full trade
    // (the reference re-sends the full size after a partial fill, an overfill risk).
    const qty = panic ? co.trade - co.fill : await resizedQuantity(core, co);
    if (qty === 0) return;
    // The state may have moved while we awaited market data.
    const now = core.contractOrder(co.id);
    if (!now || now.referenceOfControllingAlgo !== undefined || now.fill === now.trade) return;
    const id = await submitWithAlgo(core, now, qty);
    if (id !== undefined) sent.push(id);
  }
}
