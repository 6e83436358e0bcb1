/**
 * A read-only view of the stack handler's durable state, for processes that run while the stack
 * handler does not (the strategy order generator in the evening, the monitor): positions rebuilt
 * from the fills stream (the same sum the handler keeps) and instrument locks from its KV bucket.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { openOrderJournal } from '../store/open-order-journal.ts';
import { type LockReason, StackKv } from '../store/stack-kv.ts';
import { applyFillToPositions } from './positions.ts';
import type { FillRecord } from './types.ts';

export interface StackPositions {
  contract: Array<{ instrumentCode: string; contractDate: string; position: number }>;
  strategy: Array<{ strategyName: string; instrumentCode: string; position: number }>;
}

const split = (k: string) => k.split('/') as [string, string];

/** The two position tables (keyed `instrument/contract` and `strategy/instrument`) as rows. */
export function positionRows(contract: Map<string, number>, strategy: Map<string, number>): StackPositions {
  return {
    contract: [...contract].map(([k, position]) => {
      const [instrumentCode, contractDate] = split(k);
      return { instrumentCode, contractDate, position };
    }),
    strategy: [...strategy].map(([k, position]) => {
      const [strategyName, instrumentCode] = split(k);
      return { strategyName, instrumentCode, position };
    }),
  };
}

/** Positions rebuilt from the fills stream, with how many fill records there were. */
export async function readPositions(
  nc: NatsConnection,
  prefix: string,
): Promise<StackPositions & { fills: number }> {
  const store = await openOrderJournal(nc, prefix);
  const contract = new Map<string, number>();
  const strategy = new Map<string, number>();
  const fills = await store.loadFills<FillRecord>();
  for (const e of fills) applyFillToPositions(contract, strategy, e.data);
  return { ...positionRows(contract, strategy), fills: fills.length };
}

export async function readLocks(nc: NatsConnection, prefix: string): Promise<Map<string, LockReason>> {
  return (await StackKv.open(nc, prefix)).loadLocks();
}

/** Each locked instrument's reason text (`manual: <why>`), where the lock recorded one. */
export async function readLockNotes(nc: NatsConnection, prefix: string): Promise<Map<string, string>> {
  return (await StackKv.open(nc, prefix)).loadLockNotes();
}
