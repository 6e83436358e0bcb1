/** The JetStream backend of the spread samples port (`../spread-samples.ts`): `<PREFIX>_SPREADS`. */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { streamName } from '../../bus/subjects.ts';
import { type SpreadSample, type SpreadSampleStore, spreadSubject } from '../spread-samples.ts';
import { streamMessages } from './snapshot.ts';

export class JetStreamSpreadSamples implements SpreadSampleStore {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly prefix: string,
  ) {}

  /** Opens the stream, creating it when it does not exist yet. */
  static async open(nc: NatsConnection, prefix: string): Promise<JetStreamSpreadSamples> {
    const jsm = await jetstreamManager(nc);
    const name = streamName(prefix, 'SPREADS');
    if (!(await jsm.streams.info(name).catch(() => undefined)))
      await jsm.streams.add({ name, subjects: [spreadSubject(prefix)] });
    return new JetStreamSpreadSamples(nc, prefix);
  }

  async append(sample: SpreadSample): Promise<void> {
    await jetstream(this.nc).publish(
      spreadSubject(this.prefix, sample.instrument_code),
      JSON.stringify(sample),
    );
  }

  async read(instrumentCode?: string): Promise<SpreadSample[]> {
    const want = instrumentCode === undefined ? undefined : spreadSubject(this.prefix, instrumentCode);
    const out: SpreadSample[] = [];
    for await (const m of streamMessages(this.nc, streamName(this.prefix, 'SPREADS'))) {
      if (want !== undefined && m.subject !== want) continue;
      out.push(JSON.parse(Buffer.from(m.data).toString('utf8')) as SpreadSample);
    }
    return out;
  }
}
