import type { CheckRow } from '../domain/prices/manual-check.ts';
import type {
  ContractPrices,
  InstrumentConfig,
  MultiplePrices,
  PriceSeries,
  RollCalendarRow,
} from '../domain/prices/types.ts';

/**
 * The price storage port: every price series systack keeps (pysystemtrade's multiple, adjusted,
 * per-contract and spot FX prices, roll calendars), instrument config, sampled contracts and the
 * spike quarantine. Backends: JetStream (`jetstream/price-store.ts`: object store for series, KV
 * for config and records) and memory (`memory/price-store.ts`, tests). Series are read whole or by
 * an inclusive date range.
 */

/** Inclusive window in epoch ms; either end may be open. */
export interface DateRange {
  start?: number;
  end?: number;
}

/** Stored frequencies of per-contract prices: daily and intraday (digest §6.1 `intraday_frequency`). */
export type PriceFrequency = 'D' | 'H' | '5M' | '1M';

/** A contract price, forward or carry series depends on (digest §6.6 sampling). */
export interface SampledContract {
  contractDate: string;
  /** YYYYMMDD. */
  expiryDate: string;
  /** True when the expiry came from the roll config's ExpiryOffset, not the broker. */
  expiryApproximate: boolean;
  /** pysystemtrade's `currently_sampling` flag. */
  sampling: boolean;
}

/** A row held back by the spike check (digest §6.2 "On a spike"), waiting for the manual check. */
export type QuarantineRow = CheckRow;

export type QuarantineTarget =
  | { kind: 'futures'; instrumentCode: string; contractDate: string; frequency: PriceFrequency }
  | { kind: 'fx'; fxCode: string };

/** The rejected batch of one contract/frequency (or one FX series); it never enters the series. */
export interface QuarantineRecord {
  target: QuarantineTarget;
  /** The whole rejected batch, in time order. */
  rows: QuarantineRow[];
  spikeTime: number;
  spikeRatio: number;
  maxSpike: number;
  detectedAt: number;
}

/** The quarantine key of a target: `futures.<instrument>.<contract>.<freq>` or `fx.<code>`. */
export function quarantineKey(t: QuarantineTarget): string {
  return t.kind === 'fx' ? `fx.${t.fxCode}` : `futures.${t.instrumentCode}.${t.contractDate}.${t.frequency}`;
}

export interface PriceStore {
  putInstrumentConfig(cfg: InstrumentConfig): Promise<void>;
  getInstrumentConfig(instrumentCode: string): Promise<InstrumentConfig | undefined>;
  listInstrumentConfigs(): Promise<string[]>;

  putMultiplePrices(instrumentCode: string, m: MultiplePrices): Promise<void>;
  getMultiplePrices(instrumentCode: string, range?: DateRange): Promise<MultiplePrices | undefined>;
  /** Instruments that have multiple prices. */
  listMultiplePrices(): Promise<string[]>;

  putAdjustedPrices(instrumentCode: string, s: PriceSeries): Promise<void>;
  getAdjustedPrices(instrumentCode: string, range?: DateRange): Promise<PriceSeries | undefined>;
  listAdjustedPrices(): Promise<string[]>;

  putFxPrices(fxCode: string, s: PriceSeries): Promise<void>;
  getFxPrices(fxCode: string, range?: DateRange): Promise<PriceSeries | undefined>;
  listFxPrices(): Promise<string[]>;

  putRollCalendar(instrumentCode: string, rows: RollCalendarRow[]): Promise<void>;
  getRollCalendar(instrumentCode: string): Promise<RollCalendarRow[] | undefined>;

  putContractPrices(
    instrumentCode: string,
    contractDate: string,
    frequency: PriceFrequency,
    p: ContractPrices,
  ): Promise<void>;
  getContractPrices(
    instrumentCode: string,
    contractDate: string,
    frequency: PriceFrequency,
    range?: DateRange,
  ): Promise<ContractPrices | undefined>;
  /** Contract dates with prices stored for an instrument (any frequency). */
  listContractsWithPrices(instrumentCode: string): Promise<string[]>;

  getSampledContracts(instrumentCode: string): Promise<SampledContract[]>;
  putSampledContracts(instrumentCode: string, contracts: SampledContract[]): Promise<void>;

  putQuarantine(rec: QuarantineRecord): Promise<void>;
  getQuarantine(target: QuarantineTarget): Promise<QuarantineRecord | undefined>;
  /** Every quarantined batch, optionally only one instrument's or FX code's. */
  listQuarantine(code?: string): Promise<QuarantineRecord[]>;
  deleteQuarantine(target: QuarantineTarget): Promise<void>;
}

/** The time of each instrument's latest adjusted price (undefined for an empty series). */
export async function lastAdjustedPriceTimes(
  store: PriceStore,
): Promise<Array<{ instrumentCode: string; lastPriceTime: number | undefined }>> {
  const out = [];
  for (const instrumentCode of await store.listAdjustedPrices()) {
    const s = await store.getAdjustedPrices(instrumentCode);
    const n = s?.times.length ?? 0;
    out.push({ instrumentCode, lastPriceTime: n > 0 ? s!.times[n - 1] : undefined });
  }
  return out;
}
