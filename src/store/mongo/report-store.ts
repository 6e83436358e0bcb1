/**
 * The latest report of each name on MongoDB (collection `reports`, key: the report name), the
 * counterpart of the JetStream bucket `<PREFIX>_REPORTS` (`actors/reports/report-store.ts`).
 */
import type { Db } from 'mongodb';
import { JsonCollection } from './json-collection.ts';

export class MongoReportStore<T extends { name: string }> {
  private readonly c: JsonCollection;
  constructor(db: Db) {
    this.c = JsonCollection.of(db, 'reports');
  }
  async put(report: T): Promise<void> {
    await this.c.put(report.name, report);
  }
  get(name: string): Promise<T | undefined> {
    return this.c.get<T>(name);
  }
  async names(): Promise<string[]> {
    return (await this.c.list()).map((e) => e.key);
  }
}
