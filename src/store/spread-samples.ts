/**
 * The spread samples port: the bid/ask spreads additional sampling takes from the broker's top of
 * book (`actors/process-methods/additional-sampling.ts`; the reference's "historic spreads" for
 * the costs report), one journal message per sample on `<prefix>.spreads.<instrument>`.
 *
 * Backends: JetStream (`jetstream/spread-samples.ts`, stream `<PREFIX>_SPREADS`) and MongoDB
 * (`mongo/spread-samples.ts`, the journal collection `spreads`), chosen by `openSpreadSamples`
 * (`open-spread-samples.ts`) from `storage_backend`. `systack migrate` copies one to the other (catalogue stream `SPREADS`).
 */
import { subject } from '../bus/subjects.ts';
import { keyToken } from './kv-json.ts';

export interface SpreadSample {
  instrument_code: string;
  contract_date: string;
  bid: number;
  ask: number;
  /** ask − bid, in price units. */
  spread: number;
  time: number;
}

export interface SpreadSampleStore {
  append(sample: SpreadSample): Promise<void>;
  /** Every sample of one instrument (or all), oldest first; none sampled yet is []. */
  read(instrumentCode?: string): Promise<SpreadSample[]>;
}

/** `<prefix>.spreads.<instrument>`, or with no instrument the filter of every sample. */
export function spreadSubject(prefix: string, instrumentCode?: string): string {
  return subject(prefix, 'spreads', instrumentCode ? keyToken(instrumentCode, 'instrument_code') : '>');
}
