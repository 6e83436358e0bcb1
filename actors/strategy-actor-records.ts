/**
 * What a strategy actor (actors/strategy-actors.ts) stores and publishes, and its errors: the
 * record of the keyed records `STRATEGY_ACTORS` (the KV bucket `<PREFIX>_STRATEGY_ACTORS`, or
 * with MongoDB the collection `strategy_actors`; `openStrategyActorRecords`) and the body of
 * `<prefix>.inspect.strategy.<strategy>`.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { SnapshotFrom } from 'xstate';
import type { strategyMachine } from '../machines/strategy.ts';
import { subject } from '../src/bus/subjects.ts';
import { openRecords } from '../src/store/backend.ts';
import { KV_BUCKETS } from '../src/store/catalogue.ts';
import { keyToken } from '../src/store/kv-json.ts';
import type { Records } from '../src/store/records.ts';

export type StrategySnapshot = SnapshotFrom<typeof strategyMachine>;
export type StrategyActorContext = StrategySnapshot['context'];

/** Who runs a busy actor's work. */
export interface StrategyActorOwner {
  process: string;
  pid: number;
  host: string;
  /** One per host object, so two hosts in one OS process are told apart. */
  instance: string;
}

/** What the key of a strategy holds. */
export interface StrategyActorRecord {
  strategy_name: string;
  state: string;
  version: number;
  owner: StrategyActorOwner | null;
  updated_at: number;
  context: StrategyActorContext;
  snapshot: unknown;
}

/** The body of `<prefix>.inspect.strategy.<strategy>`. */
export interface StrategyInspectEvent {
  kind: 'strategy';
  id: string;
  root: null;
  event: string;
  version: number;
  state: string;
  context: StrategyActorContext;
  at: number;
}

/** A strategy name that is not configured, or that is a reserved word. */
export class UnknownStrategyError extends Error {
  override name = 'UnknownStrategyError';
}
/** The actor is busy with a run of a process that is alive, or another process changed it. */
export class StrategyActorBusyError extends Error {
  override name = 'StrategyActorBusyError';
}
/** The event does not apply in the actor's state (e.g. RESET of an actor that has not failed). */
export class StrategyEventRefusedError extends Error {
  override name = 'StrategyEventRefusedError';
}

export type SystemWork = () => Promise<{ positions: number }>;
export type OrderWork = (requestTag: string) => Promise<{ placed: number; ignored: number; failed: number }>;

export function inspectStrategySubject(prefix: string, strategy: string): string {
  return subject(prefix, 'inspect', 'strategy', strategy);
}

/** The strategy actors' records on the selected storage backend (`storage_backend`). */
export function openStrategyActorRecords(nc: NatsConnection, prefix: string): Promise<Records> {
  const b = KV_BUCKETS.strategy_actors;
  return openRecords(nc, prefix, b.name, b.history);
}

/** The stored record of one strategy's actor (undefined: it never ran). */
export async function readStrategyActor(
  records: Records,
  strategy: string,
): Promise<{ record: StrategyActorRecord; revision: number } | undefined> {
  const e = await records.getVersioned<StrategyActorRecord>(keyToken(strategy, 'strategy'));
  return e && { record: e.value, revision: e.revision };
}
