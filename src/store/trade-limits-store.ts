/**
 * Trade limits in the keyed records `TRADE_LIMITS` of the selected backend (`openRecords`: the KV
 * bucket `<PREFIX>_TRADE_LIMITS`, see `catalogue.ts`, or the MongoDB collection `trade_limits`).
 * Every change of a counter is a revision-checked update (read, compute, `update(key, value,
 * revision)`, retry on conflict), so the stack handler charging and the CLI resetting never lose
 * each other's writes, and the counters survive restarts. A named charge (its broker order's key)
 * is remembered in the limit's `chargeKeys` until the next reset, so charging it again (a restore
 * re-charges what a crash may have lost) changes nothing. The rules are in
 * `src/domain/orders/trade-limits.ts`.
 */
import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  allowedQty,
  charged,
  newTradeLimit,
  resetTradeLimit,
  rolled,
  type TradeLimit,
  type TradeLimitCharge,
  type TradeLimitChargeItem,
  withLimit,
} from '../domain/orders/trade-limits.ts';
import { openRecords } from './backend.ts';
import { KV_BUCKETS } from './catalogue.ts';
import { keyToken } from './kv-json.ts';
import { KeyExistsError, type Records, RevisionConflictError } from './records.ts';
import { RidingRecords } from './riding-records.ts';
import type { RetryOptions } from './store-retry.ts';

/** What a trade limit applies to: an instrument, or a strategy × instrument. */
export interface TradeLimitTarget {
  instrument_code: string;
  strategy_name?: string;
}

export class TradeLimitNotFoundError extends Error {
  override readonly name = 'TradeLimitNotFoundError';
}

const MAX_TRIES = 50;

/** The stored JSON: the limit and the id of the write that stored it. */
type StoredTradeLimit = TradeLimit & { writeId?: string };

function targetPrefix(t: TradeLimitTarget): string {
  const i = keyToken(t.instrument_code, 'instrument_code');
  return t.strategy_name
    ? `strategy_instrument.${keyToken(t.strategy_name, 'strategy_name')}.${i}`
    : `instrument.${i}`;
}

export function tradeLimitKey(t: TradeLimitTarget, periodDays: number): string {
  return `${targetPrefix(t)}.${periodDays}`;
}

export class TradeLimitsStore {
  constructor(private readonly records: Records) {}

  /**
   * `ride`: reads and writes ride through a bus outage (`RidingRecords`; the stack handler's, so
   * a charge is neither lost nor doubled at a nats-server restart).
   */
  static async open(nc: NatsConnection, prefix: string, ride?: RetryOptions): Promise<TradeLimitsStore> {
    const b = KV_BUCKETS.trade_limits;
    const records = await openRecords(nc, prefix, b.name, b.history);
    return new TradeLimitsStore(ride ? new RidingRecords(records, ride) : records);
  }

  private async read(
    key: string,
  ): Promise<{ value: TradeLimit; writeId?: string; revision: number } | undefined> {
    const e = await this.records.getVersioned<StoredTradeLimit>(key);
    if (!e) return undefined;
    const { writeId, ...value } = e.value;
    return { value, writeId, revision: e.revision };
  }

  /** Keys under a dotted prefix (without its dot), ascending. */
  private async keysUnder(prefix: string): Promise<string[]> {
    return (await this.records.list(`${prefix}.`)).map((r) => r.key);
  }

  /**
   * Read-modify-write one key with a revision check; `fn` gets the current value (undefined when
   * missing) and returns the new one (undefined: leave it). Retries when another writer came first.
   */
  private async modify(
    key: string,
    fn: (cur: TradeLimit | undefined) => TradeLimit | undefined,
  ): Promise<TradeLimit | undefined> {
    for (let i = 0; i < MAX_TRIES; i++) {
      const cur = await this.read(key);
      const next = fn(cur?.value);
      if (next === undefined) return cur?.value;
      const writeId = randomUUID();
      const body = { ...next, writeId } satisfies StoredTradeLimit;
      try {
        if (cur) await this.records.update(key, body, cur.revision);
        else await this.records.create(key, body);
        return next;
      } catch (err) {
        // A write reported as failed may still have been stored: when the key holds it, it is done.
        if ((await this.read(key))?.writeId === writeId) return next;
        // A wrong last revision (or the key created meanwhile) means another writer came first:
        // read again. Anything else is a real failure.
        if (!(err instanceof RevisionConflictError || err instanceof KeyExistsError)) throw err;
      }
    }
    throw new Error(`trade limit ${key}: ${MAX_TRIES} conflicting writers in a row`);
  }

  /** Every stored limit (as stored: a lapsed period is reset on its next read by the handler). */
  async list(): Promise<TradeLimit[]> {
    return (await this.records.list<StoredTradeLimit>()).map(({ value }) => {
      const { writeId: _, ...limit } = value;
      return limit;
    });
  }

  private async matchingKeys(strategyName: string, instrumentCode: string): Promise<string[]> {
    if (!/^[-_=a-zA-Z0-9]+$/.test(instrumentCode)) return [];
    const keys = await this.keysUnder(`instrument.${instrumentCode}`);
    if (/^[-_=a-zA-Z0-9]+$/.test(strategyName))
      keys.push(...(await this.keysUnder(`strategy_instrument.${strategyName}.${instrumentCode}`)));
    // A key updated while the bucket's keys are listed can be listed twice: charge it once.
    return [...new Set(keys)];
  }

  /** Create a limit, or change it keeping its count. */
  async set(
    target: TradeLimitTarget,
    periodDays: number,
    tradeLimit: number,
    now: number,
  ): Promise<TradeLimit> {
    const spec = {
      instrumentCode: target.instrument_code,
      strategyName: target.strategy_name ?? '',
      periodDays,
      tradeLimit,
    };
    const r = await this.modify(tradeLimitKey(target, periodDays), (cur) =>
      cur ? withLimit(cur, tradeLimit) : newTradeLimit(spec, now),
    );
    return r!;
  }

  /** Reset the count of the target's limits (one period, or all of them). */
  async reset(target: TradeLimitTarget, now: number, periodDays?: number): Promise<TradeLimit[]> {
    const keys =
      periodDays === undefined
        ? [...new Set(await this.keysUnder(targetPrefix(target)))]
        : [tradeLimitKey(target, periodDays)];
    const out: TradeLimit[] = [];
    for (const k of keys) {
      const r = await this.modify(k, (cur) => (cur ? resetTradeLimit(cur, now) : undefined));
      if (r) out.push(r);
    }
    if (out.length === 0) throw new TradeLimitNotFoundError(`no trade limit for ${targetPrefix(target)}`);
    return out;
  }

  async delete(target: TradeLimitTarget, periodDays: number): Promise<void> {
    const key = tradeLimitKey(target, periodDays);
    if (!(await this.read(key))) throw new TradeLimitNotFoundError(`no trade limit ${key}`);
    await this.records.delete(key);
  }

  /**
   * Maximum abs quantity (strategy, instrument) may trade now (Infinity with no limits). A lapsed
   * period is reset and written back, as the reference does on read.
   */
  async allowed(strategyName: string, instrumentCode: string, now: number): Promise<number> {
    const limits: TradeLimit[] = [];
    for (const k of await this.matchingKeys(strategyName, instrumentCode)) {
      const v = await this.modify(k, (cur) => {
        if (!cur) return undefined;
        const r = rolled(cur, now);
        return r === cur ? undefined : r;
      });
      if (v) limits.push(v);
    }
    return allowedQty(limits, strategyName, instrumentCode, now);
  }

  /**
   * Add a traded quantity to every matching limit (after its lazy reset). A named charge counts
   * once per period (`charged`): made again, it changes nothing.
   */
  async charge(
    strategyName: string,
    instrumentCode: string,
    qty: number,
    now: number,
    charge?: TradeLimitCharge,
  ): Promise<void> {
    await this.chargeMany([{ strategyName, instrumentCode, qty, charge }], now);
  }

  /** Several charges: each matching limit read and written once for all of its charges. */
  async chargeMany(items: readonly TradeLimitChargeItem[], now: number): Promise<void> {
    const byKey = new Map<string, TradeLimitChargeItem[]>();
    const matching = new Map<string, string[]>();
    for (const item of items) {
      if (item.qty === 0) continue;
      const target = `${item.strategyName}\n${item.instrumentCode}`;
      let keys = matching.get(target);
      if (!keys) {
        keys = await this.matchingKeys(item.strategyName, item.instrumentCode);
        matching.set(target, keys);
      }
      for (const k of keys) byKey.set(k, [...(byKey.get(k) ?? []), item]);
    }
    for (const [k, charges] of byKey)
      await this.modify(k, (cur) => {
        if (!cur) return undefined;
        const next = charges.reduce((l, c) => charged(l, c.qty, now, c.charge), cur);
        return next === cur ? undefined : next;
      });
  }
}
