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

/**
 * In-memory price store for tests and one-shot CLI runs. Values go through the same codec as the
 * JetStream backend, so a caller never shares arrays with the store (as with a real backend).
 */
export class MemoryPriceStore implements PriceStore {
  private readonly objects = new Map<string, Uint8Array>();
  private readonly config = new Map<string, string>();
  private readonly sampled = new Map<string, string>();
  private readonly quarantine = new Map<string, string>();

  private names(prefix: string): string[] {
    return [...this.objects.keys()]
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length))
      .sort();
  }

  async putInstrumentConfig(cfg: InstrumentConfig): Promise<void> {
    this.config.set(cfg.instrumentCode, JSON.stringify(cfg));
  }
  async getInstrumentConfig(code: string): Promise<InstrumentConfig | undefined> {
    const v = this.config.get(code);
    return v === undefined ? undefined : (JSON.parse(v) as InstrumentConfig);
  }
  async listInstrumentConfigs(): Promise<string[]> {
    return [...this.config.keys()].sort();
  }

  async putMultiplePrices(code: string, m: MultiplePrices): Promise<void> {
    this.objects.set(`multiple/${code}`, encodeMultiple(m));
  }
  async getMultiplePrices(code: string, range?: DateRange): Promise<MultiplePrices | undefined> {
    const b = this.objects.get(`multiple/${code}`);
    if (!b) return undefined;
    const m = decodeMultiple(b);
    return range ? sliceMultiple(m, ...rangeIndices(m.times, range.start, range.end)) : m;
  }
  async listMultiplePrices(): Promise<string[]> {
    return this.names('multiple/');
  }

  private series(name: string, range?: DateRange): PriceSeries | undefined {
    const b = this.objects.get(name);
    if (!b) return undefined;
    const s = decodeSeries(b);
    return range ? sliceSeries(s, ...rangeIndices(s.times, range.start, range.end)) : s;
  }

  async putAdjustedPrices(code: string, s: PriceSeries): Promise<void> {
    this.objects.set(`adjusted/${code}`, encodeSeries(s));
  }
  async getAdjustedPrices(code: string, range?: DateRange): Promise<PriceSeries | undefined> {
    return this.series(`adjusted/${code}`, range);
  }
  async listAdjustedPrices(): Promise<string[]> {
    return this.names('adjusted/');
  }

  async putFxPrices(code: string, s: PriceSeries): Promise<void> {
    this.objects.set(`fx/${code}`, encodeSeries(s));
  }
  async getFxPrices(code: string, range?: DateRange): Promise<PriceSeries | undefined> {
    return this.series(`fx/${code}`, range);
  }
  async listFxPrices(): Promise<string[]> {
    return this.names('fx/');
  }

  async putRollCalendar(code: string, rows: RollCalendarRow[]): Promise<void> {
    this.objects.set(`rollcal/${code}`, encodeRollCalendar(rows));
  }
  async getRollCalendar(code: string): Promise<RollCalendarRow[] | undefined> {
    const b = this.objects.get(`rollcal/${code}`);
    return b ? decodeRollCalendar(b) : undefined;
  }

  async putContractPrices(
    code: string,
    contract: string,
    freq: PriceFrequency,
    p: ContractPrices,
  ): Promise<void> {
    this.objects.set(`contract/${code}/${contract}/${freq}`, encodeContractPrices(p));
  }
  async getContractPrices(
    code: string,
    contract: string,
    freq: PriceFrequency,
    range?: DateRange,
  ): Promise<ContractPrices | undefined> {
    const b = this.objects.get(`contract/${code}/${contract}/${freq}`);
    if (!b) return undefined;
    const p = decodeContractPrices(b);
    return range ? sliceContractPrices(p, ...rangeIndices(p.times, range.start, range.end)) : p;
  }
  async listContractsWithPrices(code: string): Promise<string[]> {
    return [...new Set(this.names(`contract/${code}/`).map((n) => n.split('/')[0] as string))].sort();
  }

  async getSampledContracts(code: string): Promise<SampledContract[]> {
    const v = this.sampled.get(code);
    return v === undefined ? [] : (JSON.parse(v) as SampledContract[]);
  }
  async putSampledContracts(code: string, contracts: SampledContract[]): Promise<void> {
    this.sampled.set(code, JSON.stringify(contracts));
  }

  async putQuarantine(rec: QuarantineRecord): Promise<void> {
    this.quarantine.set(quarantineKey(rec.target), JSON.stringify(rec));
  }
  async getQuarantine(target: QuarantineTarget): Promise<QuarantineRecord | undefined> {
    const v = this.quarantine.get(quarantineKey(target));
    return v === undefined ? undefined : (JSON.parse(v) as QuarantineRecord);
  }
  async listQuarantine(code?: string): Promise<QuarantineRecord[]> {
    return [...this.quarantine.entries()]
      .filter(([k]) => code === undefined || k.split('.')[1] === code)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([, v]) => JSON.parse(v) as QuarantineRecord);
  }
  async deleteQuarantine(target: QuarantineTarget): Promise<void> {
    this.quarantine.delete(quarantineKey(target));
  }
}
