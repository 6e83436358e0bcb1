/**
 * Recording a child's fill at its parent (digest §2 F3–F5), shared by the contract order (broker
 * children) and the instrument order (contract children).
 *
 * - Each child fill is identified by its broker fill id; one already seen changes nothing.
 * - A fill for a child the parent does not know is parked in `pendingFills` (reported, not
 *   dropped) and applied when the child is registered: a child-created message can lose the race
 *   with the child's first fill.
 * - `passUp` says whether the child's fill moves the parent's own fill (single and distributed
 *   families do; zero-trade roll and unsupported families only track the child, F4, F5, F7).
 */
import type { ChildSummary } from './family.ts';
import { applyFill, correctFill, type Fill, type FillLedger, invalidFillReason } from './fill.ts';
import { addQty, zeroQty } from './trade-qty.ts';

export interface PendingChildFill {
  readonly childId: string;
  readonly fill: Fill;
}

export interface ParentFillState {
  readonly ledger: FillLedger;
  readonly children: readonly ChildSummary[];
  /** Every child fill id recorded at this parent (dedupe across children). */
  readonly childFillIds: readonly string[];
  readonly pendingFills: readonly PendingChildFill[];
}

export type ChildFillOutcome =
  | { readonly kind: 'applied'; readonly parentFill: Fill | null }
  | { readonly kind: 'overfilled'; readonly parentFill: Fill; readonly overfill: readonly number[] }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'unknownChild' };

/** How a child fill becomes the parent's fill, or null when the family does not pass fills up. */
export type ToParentFill = ((fill: Fill) => Fill) | null;

export function recordChildFill(
  state: ParentFillState,
  childId: string,
  fill: Fill,
  toParent: ToParentFill,
): { state: ParentFillState; outcome: ChildFillOutcome } {
  const idx = state.children.findIndex((c) => c.orderId === childId);
  const child = state.children[idx];
  if (!child) {
    if (state.pendingFills.some((p) => p.fill.fillId === fill.fillId)) {
      return { state, outcome: { kind: 'duplicate' } };
    }
    return {
      state: { ...state, pendingFills: [...state.pendingFills, { childId, fill }] },
      outcome: { kind: 'unknownChild' },
    };
  }
  const reason = invalidFillReason(fill, child.trade.length);
  if (reason) return { state, outcome: { kind: 'invalid', reason } };
  if (state.childFillIds.includes(fill.fillId)) return { state, outcome: { kind: 'duplicate' } };

  const children = state.children.map((c, i) => (i === idx ? { ...c, fill: addQty(c.fill, fill.qty) } : c));
  const childFillIds = [...state.childFillIds, fill.fillId];
  if (!toParent) {
    return { state: { ...state, children, childFillIds }, outcome: { kind: 'applied', parentFill: null } };
  }
  const parentFill = toParent(fill);
  const r = applyFill(state.ledger, parentFill);
  const next = { ...state, ledger: r.ledger, children, childFillIds };
  switch (r.outcome.kind) {
    case 'applied':
      return { state: next, outcome: { kind: 'applied', parentFill } };
    case 'overfilled':
      return { state: next, outcome: { kind: 'overfilled', parentFill, overfill: r.outcome.overfill } };
    case 'duplicate':
      return { state: next, outcome: { kind: 'duplicate' } };
    case 'invalid':
      return { state, outcome: { kind: 'invalid', reason: r.outcome.reason } };
  }
}

/** Register new children and take back any parked fills that belong to them (in arrival order). */
export function addChildren(
  state: ParentFillState,
  added: ReadonlyArray<Pick<ChildSummary, 'orderId' | 'trade' | 'contractDates'>>,
): { state: ParentFillState; released: PendingChildFill[] } {
  const children = [
    ...state.children,
    ...added.map((c) => ({
      orderId: c.orderId,
      trade: [...c.trade],
      contractDates: [...c.contractDates],
      fill: zeroQty(c.trade.length),
      completed: false,
    })),
  ];
  const ids = new Set(added.map((c) => c.orderId));
  const released = state.pendingFills.filter((p) => ids.has(p.childId));
  const pendingFills = state.pendingFills.filter((p) => !ids.has(p.childId));
  return { state: { ...state, children, pendingFills }, released };
}

export function markChildCompleted(state: ParentFillState, childId: string): ParentFillState | undefined {
  if (!state.children.some((c) => c.orderId === childId)) return undefined;
  return {
    ...state,
    children: state.children.map((c) => (c.orderId === childId ? { ...c, completed: true } : c)),
  };
}

/**
 * A broker's correction of a child fill already recorded at this parent (same fill id): the
 * child's fill and, when the family passes fills up, the parent's ledger as if `corrected` had come
 * instead of `original`. Undefined when the parent does not hold that fill (nothing changes).
 */
export function correctChildFill(
  state: ParentFillState,
  childId: string,
  original: Fill,
  corrected: Fill,
  toParent: ToParentFill,
): { state: ParentFillState; parent: { original: Fill; corrected: Fill } | null } | undefined {
  const idx = state.children.findIndex((c) => c.orderId === childId);
  const child = state.children[idx];
  if (!child || !state.childFillIds.includes(original.fillId)) return undefined;
  if (original.qty.length !== child.trade.length || corrected.qty.length !== child.trade.length)
    return undefined;
  const move = corrected.qty.map((q, i) => q - (original.qty[i] ?? 0));
  const children = state.children.map((c, i) => (i === idx ? { ...c, fill: addQty(c.fill, move) } : c));
  if (!toParent) return { state: { ...state, children }, parent: null };
  const parent = { original: toParent(original), corrected: toParent(corrected) };
  const r = correctFill(state.ledger, parent.original, parent.corrected);
  if (!r.applied) return undefined;
  return { state: { ...state, ledger: r.ledger, children }, parent };
}
