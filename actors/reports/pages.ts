/**
 * The stored reports as web pages for the monitor (`/reports/` and `/reports/<name>.html`): the
 * latest of each name from `<PREFIX>_REPORTS`, rendered as its self-contained HTML file.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { renderReportHtml } from './chart-library.ts';
import { ReportStore } from './report-store.ts';

/** The stored reports the monitor links to. */
export interface ReportPages {
  list(): Promise<Array<{ name: string; generatedAt: number }>>;
  html(name: string): Promise<string | undefined>;
}

export function storedReportPages(nc: NatsConnection, prefix: string): ReportPages {
  const store = () => ReportStore.open(nc, prefix);
  return {
    async list() {
      const s = await store();
      const out = [];
      for (const name of await s.names()) {
        const r = await s.get(name);
        if (r) out.push({ name, generatedAt: r.generatedAt });
      }
      return out;
    },
    async html(name) {
      const r = await (await store()).get(name);
      return r ? renderReportHtml(r) : undefined;
    },
  };
}
