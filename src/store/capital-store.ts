/**
 * Storage port for capital (digest §5): total capital rows, a held large change, strategy
 * capital values (each written with a timestamp) and allowance ledgers. JetStream KV keys:
 * `total.<ts>`, `pending`, `strategy.<name>.<ts>`, `ledger.<strategy>.<ts>`.
 */
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { AllowanceEntry } from '../domain/capital/strategy-allocation.ts';
import type { CapitalRow, PendingCapitalChange } from '../domain/capital/total-capital.ts';
import { getJson, keyToken, listJson, listKeys, openJsonBucket, putJson, timeToken } from './kv-json.ts';

export interface StrategyCapitalValue {
  strategy_name: string;
  timestamp: number;
  capital: number;
}

export interface CapitalStore {
  totalHistory(): Promise<CapitalRow[]>;
  appendTotal(row: CapitalRow): Promise<void>;
  /** Delete rows at or after `since`; returns how many. */
  deleteTotalSince(since: number): Promise<number>;
  getPending(): Promise<PendingCapitalChange | undefined>;
  setPending(p: PendingCapitalChange | undefined): Promise<void>;
  appendStrategyCapital(v: StrategyCapitalValue): Promise<void>;
  strategyCapitalHistory(strategy: string): Promise<StrategyCapitalValue[]>;
  ledger(strategy: string): Promise<AllowanceEntry[]>;
  appendLedger(strategy: string, entry: AllowanceEntry): Promise<void>;
}

export async function latestTotal(store: CapitalStore): Promise<CapitalRow | undefined> {
  const rows = await store.totalHistory();
  return rows[rows.length - 1];
}

export async function latestStrategyCapital(store: CapitalStore, strategy: string) {
  const rows = await store.strategyCapitalHistory(strategy);
  return rows[rows.length - 1];
}

const byTime = <T extends { timestamp: number }>(a: T, b: T) => a.timestamp - b.timestamp;

export class MemoryCapitalStore implements CapitalStore {
  private rows: CapitalRow[] = [];
  private pending: PendingCapitalChange | undefined;
  private readonly strategies = new Map<string, StrategyCapitalValue[]>();
  private readonly ledgers = new Map<string, AllowanceEntry[]>();
  async totalHistory() {
    return structuredClone(this.rows);
  }
  async appendTotal(row: CapitalRow) {
    if (this.rows.some((r) => r.timestamp === row.timestamp))
      throw new Error(`a capital row exists at ${row.timestamp}`);
    this.rows = [...this.rows, structuredClone(row)].sort(byTime);
  }
  async deleteTotalSince(since: number) {
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => r.timestamp < since);
    return before - this.rows.length;
  }
  async getPending() {
    return this.pending ? structuredClone(this.pending) : undefined;
  }
  async setPending(p: PendingCapitalChange | undefined) {
    this.pending = p ? structuredClone(p) : undefined;
  }
  async appendStrategyCapital(v: StrategyCapitalValue) {
    const list = this.strategies.get(v.strategy_name) ?? [];
    this.strategies.set(v.strategy_name, [...list, { ...v }].sort(byTime));
  }
  async strategyCapitalHistory(strategy: string) {
    return structuredClone(this.strategies.get(strategy) ?? []);
  }
  async ledger(strategy: string) {
    return structuredClone(this.ledgers.get(strategy) ?? []);
  }
  async appendLedger(strategy: string, entry: AllowanceEntry) {
    const list = this.ledgers.get(strategy) ?? [];
    this.ledgers.set(strategy, [...list, { ...entry }].sort(byTime));
  }
}

export class JetStreamCapitalStore implements CapitalStore {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, prefix: string): Promise<JetStreamCapitalStore> {
    return new JetStreamCapitalStore(await openJsonBucket(nc, prefix, 'capital', 1));
  }

  async totalHistory() {
    return (await listJson<CapitalRow>(this.kv, 'total.*')).map((e) => e.value);
  }
  async appendTotal(row: CapitalRow) {
    // create() refuses an existing key: two writers at the same instant cannot both win
    await this.kv.create(`total.${timeToken(row.timestamp)}`, JSON.stringify(row));
  }
  async deleteTotalSince(since: number) {
    let n = 0;
    for (const key of await listKeys(this.kv, 'total.*')) {
      if (Number(key.slice('total.'.length)) >= since) {
        await this.kv.purge(key);
        n++;
      }
    }
    return n;
  }
  async getPending() {
    return getJson<PendingCapitalChange>(this.kv, 'pending');
  }
  async setPending(p: PendingCapitalChange | undefined) {
    if (p) await putJson(this.kv, 'pending', p);
    else if (await getJson(this.kv, 'pending')) await this.kv.purge('pending');
  }
  async appendStrategyCapital(v: StrategyCapitalValue) {
    await putJson(
      this.kv,
      `strategy.${keyToken(v.strategy_name, 'strategy name')}.${timeToken(v.timestamp)}`,
      v,
    );
  }
  async strategyCapitalHistory(strategy: string) {
    return (
      await listJson<StrategyCapitalValue>(this.kv, `strategy.${keyToken(strategy, 'strategy name')}.*`)
    ).map((e) => e.value);
  }
  async ledger(strategy: string) {
    return (await listJson<AllowanceEntry>(this.kv, `ledger.${keyToken(strategy, 'strategy name')}.*`)).map(
      (e) => e.value,
    );
  }
  async appendLedger(strategy: string, entry: AllowanceEntry) {
    await this.kv.create(
      `ledger.${keyToken(strategy, 'strategy name')}.${timeToken(entry.timestamp)}`,
      JSON.stringify(entry),
    );
  }
}
