/**
 * generate_force_roll_orders (digest §2 J) on the stack handler's stacks: for every instrument with
 * a position, the roll state after C2, then `rollOrdersFor` (src/domain/rolls/roll-orders.ts) decides;
 * a plan is put on the stack as one instrument order with its contract children already attached
 * (J4: spawned in one synchronous step, so no pass sees the parent without its children), the
 * children queued for broker orders. A Force roll's contract order is a calendar spread (`legs`),
 * executed by the market algo (a spread's quote is not read; the best algo prices one contract);
 * Force_Outright legs and Close orders use the algo of their order type (best).
 */
import type { StackCore } from '../stack/core.ts';
import { logCritical } from '../stack/ports.ts';
import { CONTRACT_INITIAL, INSTRUMENT_INITIAL, spawnInstrumentOrder } from '../stack/order-actors.ts';
import { allocateAlgo } from '../stack/spawn.ts';
import type { ContractOrder, InstrumentOrder } from '../stack/types.ts';
import {
  lastMatchedPrices,
  type RollOrderDecision,
  type RollOrderPlan,
  rollOrdersFor,
} from '../../src/domain/rolls/roll-orders.ts';
import type { PriceStore } from '../../src/store/price-store.ts';
import type { StoredRollContracts } from './stored-contracts.ts';

export interface RollOrderResult {
  decisions: RollOrderDecision[];
  /** Instrument order ids created. */
  created: number[];
}

/** Instruments with a non-zero contract or strategy position on the stack. */
function instrumentsWithPositions(core: StackCore): string[] {
  const out = new Set<string>();
  for (const [key, pos] of core.contractPositions) if (pos !== 0) out.add(key.split('/')[0]!);
  for (const [key, pos] of core.strategyPositions) if (pos !== 0) out.add(key.split('/')[1]!);
  return [...out].sort();
}

/**
 * Contract total − strategy total of an instrument: non-zero after a Force_Outright roll cut short
 * at end of day with one leg filled (its instrument order trades 0, so the strategies never moved).
 */
export function unrolledImbalance(core: StackCore, instrumentCode: string): number {
  let n = 0;
  for (const [key, pos] of core.contractPositions) if (key.split('/')[0] === instrumentCode) n += pos;
  for (const [key, pos] of core.strategyPositions) if (key.split('/')[1] === instrumentCode) n -= pos;
  return n;
}

/**
 * For every instrument with a position, or with `only` for that one instrument (interactive_order_stack
 * "Create force roll contract orders" on demand: the same decisions, so the same rules).
 */
export async function generateForceRollOrders(
  core: StackCore,
  contracts: StoredRollContracts,
  prices: PriceStore,
  opts: { only?: string } = {},
): Promise<RollOrderResult> {
  await contracts.refresh((i, c) => core.contractPosition(i, c), {
    full: true,
    imbalance: (i) => unrolledImbalance(core, i),
  });
  const decisions: RollOrderDecision[] = [];
  const created: number[] = [];
  const held = instrumentsWithPositions(core);
  if (opts.only !== undefined && !held.includes(opts.only))
    return { decisions: [{ instrumentCode: opts.only, skipped: `no position in ${opts.only}` }], created };
  for (const code of opts.only === undefined ? held : [opts.only]) {
    const priced = contracts.pricedContract(code);
    const forward = contracts.forwardContract(code);
    const m = await prices.getMultiplePrices(code);
    const strategyPositions = [...core.strategyPositions]
      .map(([k, position]) => ({ key: k.split('/'), position }))
      .filter((p) => p.key[1] === code)
      .map((p) => ({ strategyName: p.key[0]!, position: p.position }));
    const decision = rollOrdersFor({
      instrumentCode: code,
      rollState: contracts.rollState(code),
      pricedContract: priced,
      forwardContract: forward,
      pricedPosition: core.contractPosition(code, priced),
      forwardPosition: core.contractPosition(code, forward),
      strategyPositions,
      instrumentOrders: core
        .activeOrders('instrument', (o) => o.instrumentCode === code)
        .map((o) => ({ strategyName: o.strategyName, trade: o.trade })),
      activeContractOrders: core.activeOrders('contract', (o) => o.instrumentCode === code).length,
      matchedPrices: m ? lastMatchedPrices(m.times, m.price, m.forward) : undefined,
    });
    decisions.push(decision);
    if ('skipped' in decision) {
      if (decision.critical) logCritical(core.log, decision.skipped, { instrument_code: code });
      continue;
    }
    if (core.isLocked(code)) {
      decisions[decisions.length - 1] = { instrumentCode: code, skipped: `instrument ${code} is locked` };
      continue;
    }
    created.push(await putRollOrderOnStack(core, decision.plan));
  }
  return { decisions, created };
}

/**
 * J3/J4: the instrument order and its contract orders, created together through the order actors
 * (`spawnInstrumentOrder` with children: the instrument order's machine starts with them, every
 * state is its machine's). The contract orders trade once the family is durable.
 */
export async function putRollOrderOnStack(core: StackCore, plan: RollOrderPlan): Promise<number> {
  const id = await core.newId('instrument');
  const childIds: number[] = [];
  for (let k = 0; k < plan.contractOrders.length; k++) childIds.push(await core.newId('contract'));
  const now = core.now();
  const io: InstrumentOrder = {
    level: 'instrument',
    id,
    strategyName: plan.strategyName,
    instrumentCode: plan.instrumentCode,
    trade: plan.trade,
    fill: 0,
    overfill: 0,
    locked: false,
    children: [],
    active: true,
    orderType: plan.orderType,
    state: INSTRUMENT_INITIAL,
    version: 1,
    createdAt: now,
    manualTrade: false,
    referencePrice: plan.referencePrice,
    referenceContract: plan.referenceContract,
    referenceDatetime: plan.referenceDatetime,
    rollOrder: true,
  };
  // C6: a Zero-roll-order's children (outright legs or one spread) and a Close order's child take
  // the best algo, unless the instrument has an algo override
  const algoToUse = allocateAlgo(core, io);
  const children = plan.contractOrders.map((c, k): ContractOrder => {
    const spread = c.contractDates.length > 1;
    return {
      level: 'contract',
      id: childIds[k]!,
      strategyName: plan.strategyName,
      instrumentCode: plan.instrumentCode,
      contractDate: c.contractDates[0]!,
      trade: c.trades[0]!,
      fill: 0,
      overfill: 0,
      locked: false,
      parent: id,
      children: [],
      active: true,
      orderType: 'best',
      state: CONTRACT_INITIAL,
      version: 1,
      createdAt: now,
      manualTrade: false,
      algoToUse,
      referencePrice: c.referencePrice,
      manualFill: 0,
      manualExecIds: [],
      rollOrder: true,
      ...(spread
        ? {
            legs: c.contractDates.map((d, j) => ({
              instrumentCode: plan.instrumentCode,
              contractDate: d,
              qty: c.trades[j]!,
            })),
          }
        : {}),
    };
  });
  // One synchronous step: the family appears whole.
  spawnInstrumentOrder(core, io, children);
  core.indexInstrumentOrder(io);
  await Promise.all([
    core.host.durable('instrument', id),
    ...childIds.map((c) => core.host.durable('contract', c)),
  ]);
  for (const c of childIds) core.toSend.add(c);
  core.log.info(
    {
      instrument_code: plan.instrumentCode,
      roll_state: plan.rollState,
      instrument_order_id: id,
      contract_order_ids: childIds,
      strategy_name: plan.strategyName,
    },
    'roll orders created',
  );
  return id;
}
