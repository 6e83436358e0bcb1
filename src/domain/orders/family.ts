/**
 * Order families: how child fills roll up to a parent, and when a family is complete
 * (digest §2 F3–F7, G1, G2; production.md "The journey of an order").
 */
import type { Fill } from './fill.ts';
import { isFullyFilled, isZeroQty, type TradeQty } from './trade-qty.ts';

/** What a parent knows about one child. */
export interface ChildSummary {
  readonly orderId: string;
  readonly trade: readonly number[];
  readonly contractDates: readonly string[];
  /** Cumulative fill per leg as seen by the parent (sum of the child's distinct fills). */
  readonly fill: readonly number[];
  /** The child reported its own family complete (contract level) or it settled (broker level). */
  readonly completed: boolean;
}

/**
 * How an instrument order relates to its contract children (F4, F5):
 * - `childless`: no children yet (or never, for a zero order, G1).
 * - `single`: one single-leg child; its fills are the instrument's fills (F4).
 * - `distributed`: several single-leg children, same sign as the trade, summing to it — a passive
 *   roll's priced and forward children (C4, F5). Fills add up; prices mix contracts.
 * - `zeroTradeRoll`: instrument trade 0 with a spread child (FORCE) or several outright children
 *   (FORCELEG): contract positions change, the strategy position does not (F7).
 * - `unsupported`: a multi-leg child of a non-zero order, or children that do not sum to the trade
 *   ("inter-market spread not supported"): fills are not applied and the case is reported.
 */
export type FamilyKind = 'childless' | 'single' | 'distributed' | 'zeroTradeRoll' | 'unsupported';

export function classifyFamily(
  instrumentTrade: TradeQty,
  children: ReadonlyArray<Pick<ChildSummary, 'trade'>>,
): FamilyKind {
  if (children.length === 0) return 'childless';
  const zeroParent = isZeroQty(instrumentTrade);
  if (zeroParent) return 'zeroTradeRoll';
  const t = instrumentTrade[0] ?? 0;
  if (children.some((c) => c.trade.length !== 1)) return 'unsupported';
  if (children.length === 1) return children[0]?.trade[0] === t ? 'single' : 'unsupported';
  const sum = children.reduce((s, c) => s + (c.trade[0] ?? 0), 0);
  const sameSign = children.every((c) => (c.trade[0] ?? 0) * t >= 0);
  return sum === t && sameSign ? 'distributed' : 'unsupported';
}

/** Whether a child fill moves the parent's own fill (F4, F5, F7). */
export function familyPassesFillsUp(kind: FamilyKind): boolean {
  return kind === 'single' || kind === 'distributed';
}

/**
 * A child's fill translated into the parent's legs. Instrument orders are single-leg, so a
 * single-leg child fill of `[q]` is `[q]` at the parent. Only meaningful when
 * `familyPassesFillsUp(kind)`.
 */
export function parentFillFromChild(fill: Fill): Fill {
  return { ...fill, qty: [fill.qty.reduce((s, q) => s + q, 0)], legPrices: undefined };
}

/** Completion mode: `strict` is G1 (intraday), `endOfDay` is G2 (allow partial and zero completions). */
export type CompletionMode = 'strict' | 'endOfDay';

/**
 * G1 strict completion: the order itself is filled (fill == trade; a childless zero order counts)
 * and every child reported complete. G2 end of day completes unconditionally.
 */
export function isFamilyComplete(
  mode: CompletionMode,
  trade: TradeQty,
  fill: TradeQty,
  children: ReadonlyArray<Pick<ChildSummary, 'completed'>>,
): boolean {
  if (mode === 'endOfDay') return true;
  return isFullyFilled(trade, fill) && children.every((c) => c.completed);
}
