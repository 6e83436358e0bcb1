/**
 * Publish a built report: write `<echo_directory>/reports/<report>_<YYYYMMDD-HHMM>.txt` and
 * `.html`, and keep it as the latest of its name in `<PREFIX>_REPORTS` and in
 * `<echo_directory>/reports/latest/` (read when no system runs).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileStamp, type Report } from '../../src/domain/reports/format.ts';
import { renderReportHtml } from './chart-library.ts';
import { FileReportStore, ReportStore, type StoredReport } from './report-store.ts';
import type { ReportSources } from './sources.ts';

/** The KV bucket's message limit is 1 MB: a larger report is stored without its plots. */
const MAX_STORED_BYTES = 900_000;

/**
 * Write the report's text and HTML files and store it as the latest of its name; returns the
 * stored report (with the text file's path).
 */
export async function publishReport(
  report: Report,
  s: ReportSources,
  opts: { write?: boolean } = {},
): Promise<StoredReport> {
  let path: string | undefined;
  let htmlPath: string | undefined;
  if (opts.write !== false) {
    const dir = resolve(s.system.echo_directory, 'reports');
    await mkdir(dir, { recursive: true });
    const stem = join(dir, `${report.name}_${fileStamp(report.generatedAt)}`);
    path = `${stem}.txt`;
    htmlPath = `${stem}.html`;
    await writeFile(path, report.text);
    await writeFile(htmlPath, renderReportHtml(report));
  }
  let stored: StoredReport = { ...report, ...(path ? { path, htmlPath } : {}) };
  if (JSON.stringify(stored).length > MAX_STORED_BYTES) {
    const { charts: _dropped, ...rest } = stored;
    stored = rest;
  }
  await (await ReportStore.open(s.nc, s.prefix)).put(stored);
  if (opts.write !== false) await new FileReportStore(s.system.echo_directory).put(stored);
  return stored;
}
