/**
 * Storage port for the outputs of a strategy's system run (digest §7 runner steps 3–5):
 * optimal positions (one per strategy × instrument, in KV) and a diagnostics record of the
 * intermediate series (object store, JSON). Backends: JetStream and memory.
 */

import type { KV } from '@nats-io/kv';
import { type ObjectStore, Objm } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/transport-node';
import { streamName } from '../bus/subjects.ts';
import { keyToken, listJson, openJsonBucket, putJson } from './kv-json.ts';

export interface OptimalPositionRecord {
  strategy_name: string;
  instrument_code: string;
  lower_position: number;
  upper_position: number;
  reference_price: number;
  reference_contract: string;
  /** ISO timestamp of the run (the reference's optimal position date). */
  reference_datetime: string;
  /** Last date of the price history the system used. */
  price_date: string;
}

export interface DiagnosticsRecord {
  strategy_name: string;
  created: string;
  capital: number;
  /** Dates (YYYY-MM-DD) of the rows kept. */
  dates: string[];
  /** instrument → series name → values (NaN written as null). */
  instruments: Record<string, Record<string, Array<number | null>>>;
  skipped: Array<{ instrument_code: string; reason: string }>;
}

export interface StrategyStore {
  putOptimalPositions(strategy: string, positions: OptimalPositionRecord[]): Promise<void>;
  getOptimalPositions(strategy: string): Promise<OptimalPositionRecord[]>;
  putDiagnostics(strategy: string, record: DiagnosticsRecord): Promise<void>;
  getDiagnostics(strategy: string): Promise<DiagnosticsRecord | undefined>;
}

export class MemoryStrategyStore implements StrategyStore {
  private readonly positions = new Map<string, OptimalPositionRecord[]>();
  private readonly diagnostics = new Map<string, DiagnosticsRecord>();
  async putOptimalPositions(strategy: string, positions: OptimalPositionRecord[]) {
    this.positions.set(strategy, structuredClone(positions));
  }
  async getOptimalPositions(strategy: string) {
    return structuredClone(this.positions.get(strategy) ?? []);
  }
  async putDiagnostics(strategy: string, record: DiagnosticsRecord) {
    this.diagnostics.set(strategy, structuredClone(record));
  }
  async getDiagnostics(strategy: string) {
    const d = this.diagnostics.get(strategy);
    return d ? structuredClone(d) : undefined;
  }
}

export class JetStreamStrategyStore implements StrategyStore {
  private constructor(
    private readonly kv: KV,
    private readonly objects: ObjectStore,
  ) {}

  static async open(nc: NatsConnection, prefix: string): Promise<JetStreamStrategyStore> {
    const kv = await openJsonBucket(nc, prefix, 'optimal_positions', 5);
    const objects = await new Objm(nc).create(streamName(prefix, 'backtests'));
    return new JetStreamStrategyStore(kv, objects);
  }

  async putOptimalPositions(strategy: string, positions: OptimalPositionRecord[]) {
    keyToken(strategy, 'strategy name');
    for (const p of positions)
      await putJson(this.kv, `${strategy}.${keyToken(p.instrument_code, 'instrument code')}`, p);
  }

  async getOptimalPositions(strategy: string) {
    keyToken(strategy, 'strategy name');
    return (await listJson<OptimalPositionRecord>(this.kv, `${strategy}.*`)).map((e) => e.value);
  }

  async putDiagnostics(strategy: string, record: DiagnosticsRecord) {
    keyToken(strategy, 'strategy name');
    await this.objects.putBlob(
      { name: `${strategy}.diagnostics.json` },
      new TextEncoder().encode(JSON.stringify(record)),
    );
  }

  async getDiagnostics(strategy: string) {
    keyToken(strategy, 'strategy name');
    const blob = await this.objects.getBlob(`${strategy}.diagnostics.json`);
    return blob ? (JSON.parse(new TextDecoder().decode(blob)) as DiagnosticsRecord) : undefined;
  }
}
