/**
 * Storage port for trading controls (digest §2 B3, B4): position limits per instrument and per
 * strategy × instrument, and overrides per strategy, per instrument and per both. JetStream KV
 * keys: `limit.instrument.<i>`, `limit.strategy_instrument.<s>.<i>`, `override.strategy.<s>`,
 * `override.instrument.<i>`, `override.strategy_instrument.<s>.<i>`.
 */
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { OverrideTable, PositionLimitTable } from '../domain/strategy-orders/generate.ts';
import type { Override } from '../domain/strategy-orders/overrides.ts';
import { getJson, keyToken, listJson, openJsonBucket, putJson } from './kv-json.ts';

export type LimitScope = 'instrument' | 'strategy_instrument';
export type OverrideScope = 'strategy' | 'instrument' | 'strategy_instrument';

/** What a control applies to: an instrument, a strategy, or both (`strategy/instrument` in tables). */
export interface ControlTarget {
  strategy_name?: string;
  instrument_code?: string;
}

export function targetKey(scope: LimitScope | OverrideScope, t: ControlTarget): string {
  const need = (v: string | undefined, what: string) => {
    if (!v) throw new Error(`${scope} needs ${what}`);
    return keyToken(v, what);
  };
  if (scope === 'instrument') return need(t.instrument_code, 'instrument_code');
  if (scope === 'strategy') return need(t.strategy_name, 'strategy_name');
  return `${need(t.strategy_name, 'strategy_name')}.${need(t.instrument_code, 'instrument_code')}`;
}

/** `s.i` storage keys become the `s/i` keys of the generator's tables. */
const tableKey = (k: string) => k.replace('.', '/');

export interface ControlsStore {
  positionLimits(): Promise<PositionLimitTable>;
  setPositionLimit(scope: LimitScope, target: ControlTarget, limit: number): Promise<void>;
  deletePositionLimit(scope: LimitScope, target: ControlTarget): Promise<boolean>;
  overrides(): Promise<OverrideTable>;
  setOverride(scope: OverrideScope, target: ControlTarget, override: Override): Promise<void>;
  deleteOverride(scope: OverrideScope, target: ControlTarget): Promise<boolean>;
}

export class MemoryControlsStore implements ControlsStore {
  private readonly values = new Map<string, unknown>();
  async positionLimits() {
    return tablesFrom<number>(
      [...this.values].filter(([k]) => k.startsWith('limit.')),
      'limit.',
    ) as PositionLimitTable;
  }
  async setPositionLimit(scope: LimitScope, target: ControlTarget, limit: number) {
    this.values.set(`limit.${scope}.${targetKey(scope, target)}`, limit);
  }
  async deletePositionLimit(scope: LimitScope, target: ControlTarget) {
    return this.values.delete(`limit.${scope}.${targetKey(scope, target)}`);
  }
  async overrides() {
    return tablesFrom<Override>(
      [...this.values].filter(([k]) => k.startsWith('override.')),
      'override.',
    );
  }
  async setOverride(scope: OverrideScope, target: ControlTarget, override: Override) {
    this.values.set(`override.${scope}.${targetKey(scope, target)}`, override);
  }
  async deleteOverride(scope: OverrideScope, target: ControlTarget) {
    return this.values.delete(`override.${scope}.${targetKey(scope, target)}`);
  }
}

function tablesFrom<T>(entries: Array<[string, unknown]>, lead: string): Record<string, Record<string, T>> {
  const out: Record<string, Record<string, T>> = {};
  for (const [key, value] of entries) {
    const rest = key.slice(lead.length);
    const dot = rest.indexOf('.');
    const scope = rest.slice(0, dot);
    out[scope] ??= {};
    out[scope]![tableKey(rest.slice(dot + 1))] = value as T;
  }
  return out;
}

export class JetStreamControlsStore implements ControlsStore {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, prefix: string): Promise<JetStreamControlsStore> {
    return new JetStreamControlsStore(await openJsonBucket(nc, prefix, 'controls', 5));
  }

  private async table<T>(lead: string) {
    const entries = await listJson<T>(this.kv, `${lead}>`);
    return tablesFrom<T>(
      entries.map((e) => [e.key, e.value]),
      lead,
    );
  }
  private async remove(key: string) {
    if ((await getJson(this.kv, key)) === undefined) return false;
    await this.kv.delete(key);
    return true;
  }
  async positionLimits() {
    return (await this.table<number>('limit.')) as PositionLimitTable;
  }
  async setPositionLimit(scope: LimitScope, target: ControlTarget, limit: number) {
    await putJson(this.kv, `limit.${scope}.${targetKey(scope, target)}`, limit);
  }
  async deletePositionLimit(scope: LimitScope, target: ControlTarget) {
    return this.remove(`limit.${scope}.${targetKey(scope, target)}`);
  }
  async overrides() {
    return this.table<Override>('override.');
  }
  async setOverride(scope: OverrideScope, target: ControlTarget, override: Override) {
    await putJson(this.kv, `override.${scope}.${targetKey(scope, target)}`, override);
  }
  async deleteOverride(scope: OverrideScope, target: ControlTarget) {
    return this.remove(`override.${scope}.${targetKey(scope, target)}`);
  }
}
