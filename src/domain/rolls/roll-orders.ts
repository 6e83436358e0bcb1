/**
 * Roll order generation (digest §2 J, §1.1, §1.2; pysystemtrade
 * `sysexecution/stack_handler/roll_orders.py`): whether an instrument's roll orders are required
 * and safe to create (J1), the reference spread from matched prices (J2), and the orders (J3):
 * - Force: one instrument order of zero under `_ROLL_PSEUDO_STRATEGY` (type Zero-roll-order) with one
 *   calendar-spread contract order, contracts [priced, forward], trades [−P, +P];
 * - Force_Outright: the same instrument order with two outright contract orders, [priced −P] and
 *   [forward +P] (given the forward position F: [forward S − F], S the strategies' total, and a
 *   zero leg left out — after an end of day that filled one leg only the other is made again);
 * - Close: an instrument order of −P (type best) under the strategy with the largest absolute
 *   position, with one contract order [priced −P].
 * Every roll order has `roll_order` true. Following the upstream fix (#1571), no roll order is made
 * while ANY instrument order for the instrument is on the stack (a Close order netted against a
 * strategy order would otherwise shrink the parent while the child keeps its size: #1474, #1569).
 */
import { requiresOrderGeneration, isDoubleSided, type RollState } from './roll-state.ts';

/** Whole spreads filled (defined with the order fill maths). */
export { spreadFill } from '../orders/fill.ts';

export const ROLL_PSEUDO_STRATEGY = '_ROLL_PSEUDO_STRATEGY';

export interface RollOrderInput {
  instrumentCode: string;
  rollState: RollState;
  pricedContract: string;
  forwardContract: string;
  /** Position in the priced contract (P). */
  pricedPosition: number;
  /**
   * Position in the forward contract (F). With it, Force_Outright's forward leg is what the
   * forward lacks of the instrument's strategy total S (S − F; +P when nothing was rolled yet), so
   * a roll cut short at end of day with one leg filled re-generates only the leg still missing.
   */
  forwardPosition?: number;
  /** Every strategy's position in this instrument, in the stack's order (for Close). */
  strategyPositions: Array<{ strategyName: string; position: number }>;
  /** Active instrument orders for this instrument (any strategy). */
  instrumentOrders: Array<{ strategyName: string; trade: number }>;
  /** Active contract orders for this instrument. */
  activeContractOrders: number;
  /** The last priced and forward prices at one timestamp (J2); undefined when there is none. */
  matchedPrices?: { priced: number; forward: number; time: number };
}

/** One contract order of a roll: a calendar spread has two contract dates (sorted) and two trades. */
export interface RollContractOrderPlan {
  contractDates: string[];
  trades: number[];
  referencePrice?: number;
}

export interface RollOrderPlan {
  instrumentCode: string;
  rollState: RollState;
  strategyName: string;
  /** The instrument order's trade: 0 for Force and Force_Outright, −P for Close. */
  trade: number;
  orderType: 'Zero-roll-order' | 'best';
  referencePrice?: number;
  referenceContract?: string;
  referenceDatetime?: number;
  contractOrders: RollContractOrderPlan[];
}

export type RollOrderDecision =
  | { instrumentCode: string; plan: RollOrderPlan }
  /** No roll order; `critical` when the reference logs it as critical. */
  | { instrumentCode: string; skipped: string; critical?: boolean };

/** The strategy a Close roll trades under: the largest absolute position, else the first with one. */
export function closeRollStrategy(
  positions: Array<{ strategyName: string; position: number }>,
): string | undefined {
  const held = positions.filter((p) => p.strategyName !== ROLL_PSEUDO_STRATEGY);
  let best: { strategyName: string; position: number } | undefined;
  for (const p of held)
    if (p.position !== 0 && (!best || Math.abs(p.position) > Math.abs(best.position))) best = p;
  return best?.strategyName ?? held[0]?.strategyName;
}

/** J1 then J2/J3 for one instrument. */
export function rollOrdersFor(i: RollOrderInput): RollOrderDecision {
  const skip = (skipped: string, critical = false): RollOrderDecision => ({
    instrumentCode: i.instrumentCode,
    skipped,
    ...(critical ? { critical } : {}),
  });
  const P = i.pricedPosition;
  if (!requiresOrderGeneration(i.rollState)) return skip(`roll state ${i.rollState} makes no roll orders`);
  const strategyTotal = i.strategyPositions.reduce((n, p) => n + p.position, 0);
  // Force_Outright: the forward leg brings the forward to the strategy total (S − F).
  const forwardLeg =
    i.rollState === 'Force_Outright' && i.forwardPosition !== undefined
      ? strategyTotal - i.forwardPosition
      : P;
  if (P === 0 && (i.rollState !== 'Force_Outright' || forwardLeg === 0))
    return skip('no position in the priced contract');
  if (!Number.isSafeInteger(P)) return skip(`the priced-contract position ${P} is not known`, true);
  if (i.forwardContract === '' || i.forwardContract === i.pricedContract)
    return skip(`no forward contract distinct from the priced ${i.pricedContract}`, true);
  if (i.instrumentOrders.some((o) => o.strategyName === ROLL_PSEUDO_STRATEGY))
    return skip('a roll order is already on the instrument stack');
  // #1571: any instrument order for the instrument blocks the roll (the strategy order goes first).
  if (i.instrumentOrders.length > 0)
    return skip(`Cannot force roll ${i.instrumentCode} as already other orders on instrument stack`, true);
  if (i.activeContractOrders > 0)
    return skip(`Cannot force roll ${i.instrumentCode} as already other orders on contract stack`, true);
  const [first, second] = [i.pricedContract, i.forwardContract].sort();
  const tradeOf = (c: string | undefined) => (c === i.pricedContract ? -P : P);
  if (isDoubleSided(i.rollState)) {
    const spread = i.matchedPrices ? i.matchedPrices.priced - i.matchedPrices.forward : undefined;
    const contractOrders: RollContractOrderPlan[] =
      i.rollState === 'Force'
        ? [
            {
              contractDates: [first!, second!],
              trades: [tradeOf(first), tradeOf(second)],
              referencePrice: spread,
            },
          ]
        : [
            { contractDates: [i.pricedContract], trades: [-P], referencePrice: i.matchedPrices?.priced },
            {
              contractDates: [i.forwardContract],
              trades: [forwardLeg],
              referencePrice: i.matchedPrices?.forward,
            },
          ].filter((c) => c.trades[0] !== 0);
    return {
      instrumentCode: i.instrumentCode,
      plan: {
        instrumentCode: i.instrumentCode,
        rollState: i.rollState,
        strategyName: ROLL_PSEUDO_STRATEGY,
        trade: 0,
        orderType: 'Zero-roll-order',
        referencePrice: spread,
        // (sic) the reference puts the pseudo strategy's name in reference_contract
        referenceContract: ROLL_PSEUDO_STRATEGY,
        referenceDatetime: i.matchedPrices?.time,
        contractOrders,
      },
    };
  }
  const strategy = closeRollStrategy(i.strategyPositions);
  if (strategy === undefined) return skip('no strategy holds this instrument: nothing to close under', true);
  return {
    instrumentCode: i.instrumentCode,
    plan: {
      instrumentCode: i.instrumentCode,
      rollState: i.rollState,
      strategyName: strategy,
      trade: -P,
      orderType: 'best',
      referencePrice: i.matchedPrices?.priced,
      referenceContract: i.pricedContract,
      referenceDatetime: i.matchedPrices?.time,
      contractOrders: [
        { contractDates: [i.pricedContract], trades: [-P], referencePrice: i.matchedPrices?.priced },
      ],
    },
  };
}

/** J2: the last time at which both the priced and the forward price are known. */
export function lastMatchedPrices(
  times: ArrayLike<number>,
  priced: ArrayLike<number>,
  forward: ArrayLike<number>,
): { priced: number; forward: number; time: number } | undefined {
  for (let k = times.length - 1; k >= 0; k--) {
    const p = priced[k]!;
    const f = forward[k]!;
    if (Number.isFinite(p) && Number.isFinite(f)) return { priced: p, forward: f, time: times[k]! };
  }
  return undefined;
}
