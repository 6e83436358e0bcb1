/**
 * External position break (digest §2 H1): our contract positions versus the broker's, for one
 * instrument. Contract keys must already be in the same form (the host converts YYYYMM00 to the
 * real expiry, #958/#916). A contract missing on one side counts as 0.
 */

/** Contract date → position, for one instrument. */
export type ContractPositions = Readonly<Record<string, number>>;

export interface PositionBreak {
  readonly contractDate: string;
  readonly ours: number;
  readonly broker: number;
}

export function contractPositionBreaks(ours: ContractPositions, broker: ContractPositions): PositionBreak[] {
  const keys = [...new Set([...Object.keys(ours), ...Object.keys(broker)])].sort();
  const breaks: PositionBreak[] = [];
  for (const contractDate of keys) {
    const o = ours[contractDate] ?? 0;
    const b = broker[contractDate] ?? 0;
    if (o !== b) breaks.push({ contractDate, ours: o, broker: b });
  }
  return breaks;
}
