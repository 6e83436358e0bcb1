import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { type ObjectStore, Objm, setSha256Backend } from '@nats-io/obj';
import { DEFAULT_PREFIX, streamName } from '../../bus/subjects.ts';
import type {
  ContractPrices,
  InstrumentConfig,
  MultiplePrices,
  PriceSeries,
  RollCalendarRow,
} from '../../domain/prices/types.ts';
import { rangeIndices, sliceContractPrices, sliceMultiple, sliceSeries } from '../../domain/prices/types.ts';
import type {
  DateRange,
  PriceFrequency,
  PriceStore,
  QuarantineRecord,
  QuarantineTarget,
  SampledContract,
} from '../price-store.ts';
import { quarantineKey } from '../price-store.ts';
import {
  decodeContractPrices,
  decodeMultiple,
  decodeRollCalendar,
  decodeSeries,
  encodeContractPrices,
  encodeMultiple,
  encodeRollCalendar,
  encodeSeries,
} from '../series-codec.ts';

setSha256Backend('native');

/**
 * JetStream backend of the price store (DESIGN "State": the object store for price series, KV
 * for current state). Buckets, named from the subject prefix:
 * - object store `<PREFIX>_PRICES`: `multiple/<instr>`, `adjusted/<instr>`, `fx/<code>`,
 *   `rollcal/<instr>`, `contract/<instr>/<contract>/<freq>` (columnar binary, series-codec.ts);
 * - KV `<PREFIX>_INSTRUMENT_CONFIG` (key: instrument), `<PREFIX>_SAMPLED_CONTRACTS` (key: instrument),
 *   `<PREFIX>_PRICE_QUARANTINE` (key: `futures.<instr>.<contract>.<freq>` | `fx.<code>`).
 */
export class JetStreamPriceStore implements PriceStore {
  private constructor(
    private readonly objects: ObjectStore,
    private readonly config: KV,
    private readonly sampled: KV,
    private readonly quarantine: KV,
  ) {}

  static async open(nc: NatsConnection, prefix = DEFAULT_PREFIX): Promise<JetStreamPriceStore> {
    const objm = new Objm(nc);
    const kvm = new Kvm(nc);
    const objects = await objm.create(streamName(prefix, 'PRICES'), {
      description: 'systack price series (multiple, adjusted, per-contract, FX, roll calendars)',
    });
    const config = await kvm.create(streamName(prefix, 'INSTRUMENT_CONFIG'), { history: 5 });
    const sampled = await kvm.create(streamName(prefix, 'SAMPLED_CONTRACTS'), { history: 5 });
    const quarantine = await kvm.create(streamName(prefix, 'PRICE_QUARANTINE'), { history: 5 });
    return new JetStreamPriceStore(objects, config, sampled, quarantine);
  }

  private async put(name: string, data: Uint8Array): Promise<void> {
    await this.objects.putBlob({ name }, data);
  }

  private async get(name: string): Promise<Uint8Array | undefined> {
    return (await this.objects.getBlob(name)) ?? undefined;
  }

  private async names(prefix: string): Promise<string[]> {
    const infos = await this.objects.list();
    return infos
      .filter((i) => !i.deleted && i.name.startsWith(prefix))
      .map((i) => i.name.slice(prefix.length));
  }

  private async getJson<T>(kv: KV, key: string): Promise<T | undefined> {
    const e = await kv.get(key);
    if (e?.operation !== 'PUT') return undefined;
    return e.json<T>();
  }

  private async keys(kv: KV, filter?: string): Promise<string[]> {
    const out: string[] = [];
    for await (const k of await kv.keys(filter)) out.push(k);
    return out.sort();
  }

  async putInstrumentConfig(cfg: InstrumentConfig): Promise<void> {
    await this.config.put(cfg.instrumentCode, JSON.stringify(cfg));
  }
  getInstrumentConfig(code: string): Promise<InstrumentConfig | undefined> {
    return this.getJson<InstrumentConfig>(this.config, code);
  }
  listInstrumentConfigs(): Promise<string[]> {
    return this.keys(this.config);
  }

  async putMultiplePrices(code: string, m: MultiplePrices): Promise<void> {
    await this.put(`multiple/${code}`, encodeMultiple(m));
  }
  async getMultiplePrices(code: string, range?: DateRange): Promise<MultiplePrices | undefined> {
    const b = await this.get(`multiple/${code}`);
    if (!b) return undefined;
    const m = decodeMultiple(b);
    return range ? sliceMultiple(m, ...rangeIndices(m.times, range.start, range.end)) : m;
  }
  async listMultiplePrices(): Promise<string[]> {
    return (await this.names('multiple/')).sort();
  }

  async putAdjustedPrices(code: string, s: PriceSeries): Promise<void> {
    await this.put(`adjusted/${code}`, encodeSeries(s));
  }
  getAdjustedPrices(code: string, range?: DateRange): Promise<PriceSeries | undefined> {
    return this.getSeries(`adjusted/${code}`, range);
  }
  async listAdjustedPrices(): Promise<string[]> {
    return (await this.names('adjusted/')).sort();
  }

  async putFxPrices(code: string, s: PriceSeries): Promise<void> {
    await this.put(`fx/${code}`, encodeSeries(s));
  }
  getFxPrices(code: string, range?: DateRange): Promise<PriceSeries | undefined> {
    return this.getSeries(`fx/${code}`, range);
  }
  async listFxPrices(): Promise<string[]> {
    return (await this.names('fx/')).sort();
  }

  private async getSeries(name: string, range?: DateRange): Promise<PriceSeries | undefined> {
    const b = await this.get(name);
    if (!b) return undefined;
    const s = decodeSeries(b);
    return range ? sliceSeries(s, ...rangeIndices(s.times, range.start, range.end)) : s;
  }

  async putRollCalendar(code: string, rows: RollCalendarRow[]): Promise<void> {
    await this.put(`rollcal/${code}`, encodeRollCalendar(rows));
  }
  async getRollCalendar(code: string): Promise<RollCalendarRow[] | undefined> {
    const b = await this.get(`rollcal/${code}`);
    return b ? decodeRollCalendar(b) : undefined;
  }

  async putContractPrices(
    code: string,
    contract: string,
    freq: PriceFrequency,
    p: ContractPrices,
  ): Promise<void> {
    await this.put(`contract/${code}/${contract}/${freq}`, encodeContractPrices(p));
  }
  async getContractPrices(
    code: string,
    contract: string,
    freq: PriceFrequency,
    range?: DateRange,
  ): Promise<ContractPrices | undefined> {
    const b = await this.get(`contract/${code}/${contract}/${freq}`);
    if (!b) return undefined;
    const p = decodeContractPrices(b);
    return range ? sliceContractPrices(p, ...rangeIndices(p.times, range.start, range.end)) : p;
  }
  async listContractsWithPrices(code: string): Promise<string[]> {
    const names = await this.names(`contract/${code}/`);
    return [...new Set(names.map((n) => n.split('/')[0] as string))].sort();
  }

  async getSampledContracts(code: string): Promise<SampledContract[]> {
    return (await this.getJson<SampledContract[]>(this.sampled, code)) ?? [];
  }
  async putSampledContracts(code: string, contracts: SampledContract[]): Promise<void> {
    await this.sampled.put(code, JSON.stringify(contracts));
  }

  async putQuarantine(rec: QuarantineRecord): Promise<void> {
    await this.quarantine.put(quarantineKey(rec.target), JSON.stringify(rec));
  }
  getQuarantine(target: QuarantineTarget): Promise<QuarantineRecord | undefined> {
    return this.getJson<QuarantineRecord>(this.quarantine, quarantineKey(target));
  }
  async listQuarantine(code?: string): Promise<QuarantineRecord[]> {
    const keys = await this.keys(this.quarantine);
    const wanted = code === undefined ? keys : keys.filter((k) => k.split('.')[1] === code);
    const recs = await Promise.all(wanted.map((k) => this.getJson<QuarantineRecord>(this.quarantine, k)));
    return recs.filter((r): r is QuarantineRecord => r !== undefined);
  }
  async deleteQuarantine(target: QuarantineTarget): Promise<void> {
    await this.quarantine.delete(quarantineKey(target));
  }
}
