/** Child specifications sent when children are created, and their validation (C5, C8, D3). */

export interface ChildSpec {
  readonly orderId: string;
  readonly trade: readonly number[];
  readonly contractDates: readonly string[];
}

/**
 * Why a list of new children cannot be attached, or undefined when it can. `maxBatches` = 1 for an
 * instrument order (children attach once, C8); contract orders accept more broker children (D3).
 */
export function childSpecProblem(
  added: readonly ChildSpec[],
  existing: ReadonlyArray<{ orderId: string }>,
  maxBatches: 1 | 'many',
): string | undefined {
  if (!Array.isArray(added) || added.length === 0) return 'no children given';
  if (maxBatches === 1 && existing.length > 0) return 'order already has children';
  const ids = new Set(existing.map((c) => c.orderId));
  for (const c of added) {
    if (typeof c.orderId !== 'string' || c.orderId === '') return 'child order id is empty';
    if (ids.has(c.orderId)) return `duplicate child id ${c.orderId}`;
    ids.add(c.orderId);
    if (
      !Array.isArray(c.trade) ||
      c.trade.length === 0 ||
      c.trade.some((q: unknown) => !Number.isInteger(q))
    ) {
      return `child ${c.orderId} trade must be a non-empty list of integers`;
    }
    if (!Array.isArray(c.contractDates) || c.contractDates.length !== c.trade.length) {
      return `child ${c.orderId} needs one contract date per leg`;
    }
  }
  return undefined;
}
