import type { ContractId } from '../port.ts';

/** Where the simulated broker takes prices from: the last (mid) price per contract at a time. */
export interface SimPriceSource {
  lastPrice(contract: ContractId, time: number): number;
}

export const contractKey = (c: ContractId): string => `${c.instrumentCode}/${c.contractDate}`;

/** The same price for every contract, or per-contract constants. */
export class ConstantPriceSource implements SimPriceSource {
  constructor(
    private readonly price = 100,
    private readonly perContract: Record<string, number> = {},
  ) {}

  lastPrice(contract: ContractId): number {
    return this.perContract[contractKey(contract)] ?? this.perContract[contract.instrumentCode] ?? this.price;
  }
}
