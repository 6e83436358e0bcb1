/**
 * MongoDB backends of the capital, controls and strategy storage ports, with the keys of their
 * JetStream twins (`capital-store.ts`, `controls-store.ts`, `strategy-store.ts`), one collection
 * each. Checked by the same conformance suite as the JetStream backends
 * (`test/store/conformance.test.ts`).
 */
import { Binary, type Collection, type Db } from 'mongodb';
import type { AllowanceEntry } from '../../domain/capital/strategy-allocation.ts';
import type { CapitalRow, PendingCapitalChange } from '../../domain/capital/total-capital.ts';
import type { OverrideTable, PositionLimitTable } from '../../domain/strategy-orders/generate.ts';
import type { Override } from '../../domain/strategy-orders/overrides.ts';
import type { CapitalStore, StrategyCapitalValue } from '../capital-store.ts';
import {
  type ControlsStore,
  type ControlTarget,
  type LimitScope,
  type OverrideScope,
  targetKey,
} from '../controls-store.ts';
import { keyToken, timeToken } from '../kv-json.ts';
import type { DiagnosticsRecord, OptimalPositionRecord, StrategyStore } from '../strategy-store.ts';
import { type BlobDoc, JsonCollection } from './json-collection.ts';

const strategyKey = (s: string) => keyToken(s, 'strategy name');

export class MongoCapitalStore implements CapitalStore {
  private readonly c: JsonCollection;
  constructor(db: Db) {
    this.c = JsonCollection.of(db, 'capital');
  }
  async totalHistory() {
    return (await this.c.list<CapitalRow>('total.')).map((e) => e.value);
  }
  async appendTotal(row: CapitalRow) {
    await this.c.create(`total.${timeToken(row.timestamp)}`, row);
  }
  async deleteTotalSince(since: number) {
    let n = 0;
    for (const { key } of await this.c.list('total.')) {
      if (Number(key.slice('total.'.length)) >= since && (await this.c.delete(key))) n++;
    }
    return n;
  }
  async getPending() {
    return this.c.get<PendingCapitalChange>('pending');
  }
  async setPending(p: PendingCapitalChange | undefined) {
    if (p) await this.c.put('pending', p);
    else await this.c.delete('pending');
  }
  async appendStrategyCapital(v: StrategyCapitalValue) {
    await this.c.put(`strategy.${strategyKey(v.strategy_name)}.${timeToken(v.timestamp)}`, v);
  }
  async strategyCapitalHistory(strategy: string) {
    return (await this.c.list<StrategyCapitalValue>(`strategy.${strategyKey(strategy)}.`)).map(
      (e) => e.value,
    );
  }
  async ledger(strategy: string) {
    return (await this.c.list<AllowanceEntry>(`ledger.${strategyKey(strategy)}.`)).map((e) => e.value);
  }
  async appendLedger(strategy: string, entry: AllowanceEntry) {
    await this.c.create(`ledger.${strategyKey(strategy)}.${timeToken(entry.timestamp)}`, entry);
  }
}

/** `limit.instrument.GOLD` → table.instrument.GOLD; `...strategy_instrument.s.i` → `s/i`. */
function table<T>(rows: Array<{ key: string; value: T }>, lead: string): Record<string, Record<string, T>> {
  const out: Record<string, Record<string, T>> = {};
  for (const { key, value } of rows) {
    const [scope, ...rest] = key.slice(lead.length).split('.');
    if (!scope) continue;
    (out[scope] ??= {})[rest.join('/')] = value;
  }
  return out;
}

export class MongoControlsStore implements ControlsStore {
  private readonly c: JsonCollection;
  constructor(db: Db) {
    this.c = JsonCollection.of(db, 'controls');
  }
  async positionLimits() {
    return table(await this.c.list<number>('limit.'), 'limit.') as PositionLimitTable;
  }
  async setPositionLimit(scope: LimitScope, target: ControlTarget, limit: number) {
    await this.c.put(`limit.${scope}.${targetKey(scope, target)}`, limit);
  }
  async deletePositionLimit(scope: LimitScope, target: ControlTarget) {
    return this.c.delete(`limit.${scope}.${targetKey(scope, target)}`);
  }
  async overrides() {
    return table(await this.c.list<Override>('override.'), 'override.') as OverrideTable;
  }
  async setOverride(scope: OverrideScope, target: ControlTarget, override: Override) {
    await this.c.put(`override.${scope}.${targetKey(scope, target)}`, override);
  }
  async deleteOverride(scope: OverrideScope, target: ControlTarget) {
    return this.c.delete(`override.${scope}.${targetKey(scope, target)}`);
  }
}

export class MongoStrategyStore implements StrategyStore {
  private readonly positions: JsonCollection;
  /** `backtests`: blobs named as in the JetStream object store (`<strategy>.diagnostics.json`). */
  private readonly diagnostics: Collection<BlobDoc>;
  constructor(db: Db) {
    this.positions = JsonCollection.of(db, 'optimal_positions');
    this.diagnostics = db.collection<BlobDoc>('backtests');
  }
  async putOptimalPositions(strategy: string, positions: OptimalPositionRecord[]) {
    const s = strategyKey(strategy);
    for (const p of positions)
      await this.positions.put(`${s}.${keyToken(p.instrument_code, 'instrument code')}`, p);
  }
  async getOptimalPositions(strategy: string) {
    return (await this.positions.list<OptimalPositionRecord>(`${strategyKey(strategy)}.`)).map(
      (e) => e.value,
    );
  }
  async putDiagnostics(strategy: string, record: DiagnosticsRecord) {
    const data = new Binary(new TextEncoder().encode(JSON.stringify(record)));
    await this.diagnostics.replaceOne(
      { _id: `${strategyKey(strategy)}.diagnostics.json` },
      { data },
      { upsert: true },
    );
  }
  async getDiagnostics(strategy: string) {
    const d = await this.diagnostics.findOne({ _id: `${strategyKey(strategy)}.diagnostics.json` });
    return d ? (JSON.parse(new TextDecoder().decode(d.data.buffer)) as DiagnosticsRecord) : undefined;
  }
}
