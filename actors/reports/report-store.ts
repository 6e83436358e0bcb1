/**
 * The latest text and data of each report in a JetStream KV bucket `<PREFIX>_REPORTS` (key: the
 * report name), so `systack report show <name>` can print what the evening's run_reports wrote.
 */
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { streamName } from '../../src/bus/subjects.ts';
import type { Report } from '../../src/domain/reports/format.ts';

export interface StoredReport extends Report {
  /** The file it was written to, when it was. */
  path?: string;
}

export class ReportStore {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, prefix: string): Promise<ReportStore> {
    return new ReportStore(await new Kvm(nc).create(streamName(prefix, 'REPORTS'), { history: 1 }));
  }

  async put(report: StoredReport): Promise<void> {
    await this.kv.put(report.name, JSON.stringify(report));
  }

  async get(name: string): Promise<StoredReport | undefined> {
    const e = await this.kv.get(name);
    return e && e.operation === 'PUT' ? e.json<StoredReport>() : undefined;
  }

  async names(): Promise<string[]> {
    const out: string[] = [];
    for await (const k of await this.kv.keys()) out.push(k);
    return out.sort();
  }
}
