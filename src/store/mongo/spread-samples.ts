/** The MongoDB backend of the spread samples port (`../spread-samples.ts`): journal `spreads`. */
import type { Db } from 'mongodb';
import { mongoCollection } from '../catalogue.ts';
import { type SpreadSample, type SpreadSampleStore, spreadSubject } from '../spread-samples.ts';
import { MongoJournal } from './journal.ts';

export class MongoSpreadSamples implements SpreadSampleStore {
  private constructor(
    private readonly journal: MongoJournal,
    private readonly prefix: string,
  ) {}

  static async open(db: Db, prefix: string): Promise<MongoSpreadSamples> {
    return new MongoSpreadSamples(await MongoJournal.open(db, mongoCollection('SPREADS')), prefix);
  }

  async append(sample: SpreadSample): Promise<void> {
    await this.journal.append(spreadSubject(this.prefix, sample.instrument_code), sample);
  }

  async read(instrumentCode?: string): Promise<SpreadSample[]> {
    const entries = await this.journal.read<SpreadSample>(spreadSubject(this.prefix, instrumentCode));
    return entries.map((e) => e.data);
  }
}
