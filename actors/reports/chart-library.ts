/**
 * The charting library inlined into every HTML report: Chart.js's UMD build, read once from the
 * installed package (node_modules), so a report file needs no network to draw its plots.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report } from '../../src/domain/reports/format.ts';
import { reportHtml } from '../../src/domain/reports/html.ts';

let source: string | undefined;

/** Chart.js UMD (`chart.umd.min.js` beside the package's ESM entry). */
export function chartLibrary(): string {
  source ??= readFileSync(
    join(dirname(fileURLToPath(import.meta.resolve('chart.js'))), 'chart.umd.min.js'),
    'utf8',
  );
  return source;
}

export function renderReportHtml(report: Report): string {
  return reportHtml(report, chartLibrary());
}
