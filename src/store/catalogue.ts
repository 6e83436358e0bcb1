/**
 * The storage catalogue: every JetStream stream, KV bucket and object store of a system, by its
 * name after the prefix (`STORAGE_CATALOGUE`; on the embedded server, writer roles may create only
 * these — src/bus/roles.ts — and test/unit/bus-catalogue.test.ts fails on a name opened in the code
 * but missing here). New KV buckets are declared with their settings in `KV_BUCKETS` and opened
 * with `openCatalogued`; older stores still open theirs where they are used, under the names
 * listed here.
 */
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

/** Broker client ids (`broker-client-ids.ts`). */
export const BROKER_CLIENT_IDS_BUCKET = 'broker_client_ids';

export const KV_BUCKETS = {
  /**
   * Trade limits (interactive_controls): one key per limit, `instrument.<i>.<days>` or
   * `strategy_instrument.<s>.<i>.<days>`, each a JSON TradeLimit updated with revision checks.
   */
  trade_limits: { name: 'TRADE_LIMITS', history: 5 },
  /**
   * Strategy actors (actors/strategy-actors.ts): one key per strategy, its `machines/strategy.ts`
   * snapshot with its state and the process running it, written with revision checks.
   */
  strategy_actors: { name: 'STRATEGY_ACTORS', history: 5 },
} as const;

export type CataloguedBucket = keyof typeof KV_BUCKETS;

/**
 * Open (creating if needed) a catalogued bucket: `<PREFIX>_<NAME>`. The KV client is imported
 * here, not with the catalogue: the names alone (src/bus/roles.ts, on every CLI call) need none.
 */
export async function openCatalogued(
  nc: NatsConnection,
  prefix: string,
  bucket: CataloguedBucket,
): Promise<KV> {
  const b = KV_BUCKETS[bucket];
  return (await import('./kv-json.ts')).openJsonBucket(nc, prefix, b.name, b.history);
}

export const STORAGE_CATALOGUE = {
  streams: ['logs', 'ORDER_REQUESTS', 'STACK', 'FILLS', 'HISTORY', 'ROLLS', 'SPREADS'],
  kv: [
    'STACK_STATE',
    'process_control',
    'SIMBROKER',
    'REPORTS',
    'INSTRUMENT_CONFIG',
    'SAMPLED_CONTRACTS',
    'PRICE_QUARANTINE',
    'optimal_positions',
    'capital',
    'controls',
    'ROLL_STATUS',
    'EMAILS',
    KV_BUCKETS.trade_limits.name,
    KV_BUCKETS.strategy_actors.name,
    BROKER_CLIENT_IDS_BUCKET,
  ],
  objectStores: ['PRICES', 'backtests'],
} as const;

export type CatalogueKind = 'stream' | 'kv' | 'objectStore';

/**
 * The MongoDB collection standing in for a catalogued stream, bucket or object store: its name in
 * lower case (streams are journals, `mongo/journal.ts`; buckets keyed JSON documents; object
 * stores binary documents).
 */
export function mongoCollection(name: string): string {
  return name.toLowerCase();
}

/** Every catalogued name with its kind, in catalogue order. */
export function catalogueEntries(): Array<{ name: string; kind: CatalogueKind }> {
  return [
    ...STORAGE_CATALOGUE.streams.map((name) => ({ name, kind: 'stream' as const })),
    ...STORAGE_CATALOGUE.kv.map((name) => ({ name, kind: 'kv' as const })),
    ...STORAGE_CATALOGUE.objectStores.map((name) => ({ name, kind: 'objectStore' as const })),
  ];
}

/**
 * The history each bucket's owner opens it with; `systack migrate` creates a missing bucket with
 * it (a bucket already there keeps its own). Buckets not listed keep one value per key.
 */
export const KV_HISTORY: Readonly<Record<string, number>> = {
  process_control: 5,
  INSTRUMENT_CONFIG: 5,
  SAMPLED_CONTRACTS: 5,
  PRICE_QUARANTINE: 5,
  optimal_positions: 5,
  controls: 5,
  ROLL_STATUS: 10,
  ...Object.fromEntries(Object.values(KV_BUCKETS).map((b) => [b.name, b.history])),
};
