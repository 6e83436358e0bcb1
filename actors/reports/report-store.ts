/**
 * The latest text, data and plots of each report: in a JetStream KV bucket `<PREFIX>_REPORTS`
 * (key: the report name) while the system runs, and as `<echo_directory>/reports/latest/
 * <name>.json` on disk, so `systack report show` and `list` work with the system stopped.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { streamName } from '../../src/bus/subjects.ts';
import type { Report } from '../../src/domain/reports/format.ts';
import { mongoDatabase, selectedStorage } from '../../src/store/backend.ts';
import { MongoReportStore } from '../../src/store/mongo/report-store.ts';

export interface StoredReport extends Report {
  /** The file it was written to, when it was. */
  path?: string;
  /** Its HTML file, written beside the text. */
  htmlPath?: string;
}

export interface ReportReader {
  get(name: string): Promise<StoredReport | undefined>;
  names(): Promise<string[]>;
}

/** The report store of the selected backend (`src/store/backend.ts`). */
export type ReportStore = ReportReader & { put(report: StoredReport): Promise<void> };
export const ReportStore = {
  async open(nc: NatsConnection, prefix: string): Promise<ReportStore> {
    return selectedStorage().backend === 'mongodb'
      ? new MongoReportStore<StoredReport>(await mongoDatabase())
      : JetStreamReportStore.open(nc, prefix);
  },
};

export class JetStreamReportStore implements ReportReader {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, prefix: string): Promise<JetStreamReportStore> {
    return new JetStreamReportStore(await new Kvm(nc).create(streamName(prefix, 'REPORTS'), { history: 1 }));
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

/** The same latest reports as files under `<echo_directory>/reports/latest/`. */
export class FileReportStore implements ReportReader {
  readonly dir: string;
  constructor(echoDirectory: string) {
    this.dir = resolve(echoDirectory, 'reports', 'latest');
  }

  async put(report: StoredReport): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, `${report.name}.json`);
    // write then rename: a reader never sees half a file
    await writeFile(`${path}.tmp`, JSON.stringify(report));
    await rename(`${path}.tmp`, path);
  }

  async get(name: string): Promise<StoredReport | undefined> {
    const path = join(this.dir, `${name}.json`);
    return existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as StoredReport) : undefined;
  }

  async names(): Promise<string[]> {
    if (!existsSync(this.dir)) return [];
    return (await readdir(this.dir))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5))
      .sort();
  }
}
