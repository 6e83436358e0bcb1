/**
 * The storage catalogue: JetStream KV buckets by their name after the prefix, with their settings.
 * New buckets are declared here and opened with `openCatalogued`; older stores still name theirs
 * where they open them (`kv-json.ts` callers, `actors/store`), to be moved here as they are touched.
 */
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { openJsonBucket } from './kv-json.ts';

export const KV_BUCKETS = {
  /**
   * Trade limits (interactive_controls): one key per limit, `instrument.<i>.<days>` or
   * `strategy_instrument.<s>.<i>.<days>`, each a JSON TradeLimit updated with revision checks.
   */
  trade_limits: { name: 'TRADE_LIMITS', history: 5 },
} as const;

export type CataloguedBucket = keyof typeof KV_BUCKETS;

/** Open (creating if needed) a catalogued bucket: `<PREFIX>_<NAME>`. */
export function openCatalogued(nc: NatsConnection, prefix: string, bucket: CataloguedBucket): Promise<KV> {
  const b = KV_BUCKETS[bucket];
  return openJsonBucket(nc, prefix, b.name, b.history);
}
