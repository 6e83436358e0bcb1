import { contractPositionKey, type FillRecord, strategyPositionKey } from './types.ts';

/**
 * How one fill record moves the two position tables (digest F): contract positions unless the
 * record is strategy-only, strategy × instrument positions unless it is contract-only. Positions
 * are only ever this sum over fill records, so any reader of the fills stream gets the same numbers.
 */
export function applyFillToPositions(
  contract: Map<string, number>,
  strategy: Map<string, number>,
  f: FillRecord,
): void {
  if (f.scope !== 'strategy' && f.contractDate) {
    const k = contractPositionKey(f.instrumentCode, f.contractDate);
    contract.set(k, (contract.get(k) ?? 0) + f.qty);
  }
  if (f.scope !== 'contract' && f.strategyName) {
    const k = strategyPositionKey(f.strategyName, f.instrumentCode);
    strategy.set(k, (strategy.get(k) ?? 0) + f.qty);
  }
}
