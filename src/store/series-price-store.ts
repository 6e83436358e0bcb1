/**
 * The price store's logic, once for every backend (DESIGN "State": series as blobs, current
 * state as keyed JSON): what a series is called, how it is encoded (series-codec.ts), how a range
 * is cut. A backend supplies a blob space for the series and three keyed JSON spaces (instrument
 * config, sampled contracts, quarantine): JetStream (`jetstream/price-store.ts`: object store and
 * KV buckets) or MongoDB (`mongo/price-store.ts`).
 */
import type {
  ContractPrices,
  InstrumentConfig,
  MultiplePrices,
  PriceSeries,
  RollCalendarRow,
} from '../domain/prices/types.ts';
import { rangeIndices, sliceContractPrices, sliceMultiple, sliceSeries } from '../domain/prices/types.ts';
import type {
  DateRange,
  PriceFrequency,
  PriceStore,
  QuarantineRecord,
  QuarantineTarget,
  SampledContract,
} from './price-store.ts';
import { quarantineKey } from './price-store.ts';
import {
  decodeContractPrices,
  decodeMultiple,
  decodeRollCalendar,
  decodeSeries,
  encodeContractPrices,
  encodeMultiple,
  encodeRollCalendar,
  encodeSeries,
} from './series-codec.ts';

/** Named binary blobs (price series). */
export interface BlobSpace {
  put(name: string, data: Uint8Array): Promise<void>;
  get(name: string): Promise<Uint8Array | undefined>;
  /** Names under a prefix, with the prefix removed. */
  names(prefix: string): Promise<string[]>;
}

/** Keyed JSON values. */
export interface JsonSpace {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  keys(): Promise<string[]>;
  delete(key: string): Promise<void>;
}

export class SeriesPriceStore implements PriceStore {
  constructor(
    private readonly objects: BlobSpace,
    private readonly config: JsonSpace,
    private readonly sampled: JsonSpace,
    private readonly quarantine: JsonSpace,
  ) {}

  private put(name: string, data: Uint8Array): Promise<void> {
    return this.objects.put(name, data);
  }
  private get(name: string): Promise<Uint8Array | undefined> {
    return this.objects.get(name);
  }
  private names(prefix: string): Promise<string[]> {
    return this.objects.names(prefix);
  }
  private getJson<T>(space: JsonSpace, key: string): Promise<T | undefined> {
    return space.get<T>(key);
  }
  private async keys(space: JsonSpace): Promise<string[]> {
    return (await space.keys()).sort();
  }

  async putInstrumentConfig(cfg: InstrumentConfig): Promise<void> {
    await this.config.put(cfg.instrumentCode, cfg);
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
    await this.sampled.put(code, contracts);
  }

  async putQuarantine(rec: QuarantineRecord): Promise<void> {
    await this.quarantine.put(quarantineKey(rec.target), rec);
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
