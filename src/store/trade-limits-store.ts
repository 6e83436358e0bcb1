/**
 * Trade limits in JetStream KV (bucket `<PREFIX>_TRADE_LIMITS`, see `catalogue.ts`). Every change
 * of a counter is a revision-checked update (read, compute, `update(key, value, revision)`, retry
 * on conflict), so the stack handler charging and the CLI resetting never lose each other's
 * writes, and the counters survive restarts. The rules are in `src/domain/orders/trade-limits.ts`.
 */
import { randomUUID } from 'node:crypto';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  allowedQty,
  charged,
  newTradeLimit,
  resetTradeLimit,
  rolled,
  type TradeLimit,
  withLimit,
} from '../domain/orders/trade-limits.ts';
import { openCatalogued } from './catalogue.ts';
import { keyToken, listKeys } from './kv-json.ts';

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
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, prefix: string): Promise<TradeLimitsStore> {
    return new TradeLimitsStore(await openCatalogued(nc, prefix, 'trade_limits'));
  }

  private async read(
    key: string,
  ): Promise<{ value: TradeLimit; writeId?: string; revision: number } | undefined> {
    const e = await this.kv.get(key);
    if (!e || e.operation !== 'PUT' || e.length === 0) return undefined;
    const { writeId, ...value } = e.json<StoredTradeLimit>();
    return { value, writeId, revision: e.revision };
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
      const body = JSON.stringify({ ...next, writeId } satisfies StoredTradeLimit);
      try {
        if (cur) await this.kv.update(key, body, cur.revision);
        else await this.kv.create(key, body);
        return next;
      } catch (err) {
        // A write reported as failed may still have been stored: when the key holds it, it is done.
        if ((await this.read(key))?.writeId === writeId) return next;
        // A wrong last revision (or the key created meanwhile) means another writer came first:
        // read again. Anything else is a real failure.
        const conflict =
          err instanceof JetStreamApiError &&
          (err.code === JetStreamApiCodes.StreamWrongLastSequence ||
            err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);
        if (!conflict) throw err;
      }
    }
    throw new Error(`trade limit ${key}: ${MAX_TRIES} conflicting writers in a row`);
  }

  /** Every stored limit (as stored: a lapsed period is reset on its next read by the handler). */
  async list(filter = '>'): Promise<TradeLimit[]> {
    const out: TradeLimit[] = [];
    for (const k of new Set(await listKeys(this.kv, filter))) {
      const v = await this.read(k);
      if (v) out.push(v.value);
    }
    return out;
  }

  private async matchingKeys(strategyName: string, instrumentCode: string): Promise<string[]> {
    if (!/^[-_=a-zA-Z0-9]+$/.test(instrumentCode)) return [];
    const keys = await listKeys(this.kv, `instrument.${instrumentCode}.*`);
    if (/^[-_=a-zA-Z0-9]+$/.test(strategyName))
      keys.push(...(await listKeys(this.kv, `strategy_instrument.${strategyName}.${instrumentCode}.*`)));
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
        ? [...new Set(await listKeys(this.kv, `${targetPrefix(target)}.*`))]
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
    await this.kv.delete(key);
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

  /** Add a traded quantity to every matching limit (after its lazy reset). */
  async charge(strategyName: string, instrumentCode: string, qty: number, now: number): Promise<void> {
    if (qty === 0) return;
    for (const k of await this.matchingKeys(strategyName, instrumentCode))
      await this.modify(k, (cur) => (cur ? charged(cur, qty, now) : undefined));
  }
}
