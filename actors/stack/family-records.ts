import type { StackCore } from './core.ts';
import type { BrokerOrder, ContractOrder, InstrumentOrder } from './types.ts';

/** An order record as the history keeps it: without its machine's state. */
export const withoutMachine = <T extends { machine?: unknown }>(o: T): T => ({ ...o, machine: undefined });

/** A broker order as the history keeps it: without its machine's state nor its algo's (nor a correction on its way). */
export const brokerWithoutMachine = (b: BrokerOrder): BrokerOrder => ({
  ...b,
  machine: undefined,
  correcting: undefined,
  algo: b.algo && { ...b.algo, machine: undefined },
});

/** A family's contract and broker orders on the stack (what its history record holds). */
export function family(
  core: StackCore,
  io: InstrumentOrder,
): { contracts: ContractOrder[]; brokers: BrokerOrder[] } {
  const contracts = io.children
    .map((id) => core.contractOrder(id))
    .filter((c): c is ContractOrder => c !== undefined);
  const brokers = contracts.flatMap((c) =>
    c.children.map((id) => core.brokerOrder(id)).filter((b): b is BrokerOrder => b !== undefined),
  );
  return { contracts, brokers };
}
