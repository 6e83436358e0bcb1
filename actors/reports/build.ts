/**
 * Build one report by name from the stores, write it to `<echo_directory>/reports/
 * <report>_<YYYYMMDD-HHMM>.txt` and keep it as the latest of its name in `<PREFIX>_REPORTS`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileStamp, type Report } from '../../src/domain/reports/format.ts';
import { DAY_MS, pandlReport } from '../../src/domain/reports/pandl.ts';
import { reconcileReport } from '../../src/domain/reports/reconcile.ts';
import { rollReport } from '../../src/domain/reports/roll.ts';
import { statusReport } from '../../src/domain/reports/status.ts';
import { tradeReport } from '../../src/domain/reports/trades.ts';
import { ReportStore, type StoredReport } from './report-store.ts';
import * as src from './sources.ts';

export const REPORT_NAMES = [
  'status_report',
  'roll_report',
  'daily_pandl_report',
  'reconcile_report',
  'trade_report',
] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

export function isReportName(name: string): name is ReportName {
  return (REPORT_NAMES as readonly string[]).includes(name);
}

export interface BuildOptions {
  /** P&L and trade window; default 1 day (digest §8). */
  windowMs?: number;
}

export async function buildReport(
  name: ReportName,
  s: src.ReportSources,
  opts: BuildOptions = {},
): Promise<Report> {
  const now = s.clock.now();
  const windowMs = opts.windowMs ?? DAY_MS;
  switch (name) {
    case 'status_report': {
      const positions = await src.readPositions(s.nc, s.prefix);
      return statusReport(
        {
          processes: await src.processLines(s),
          prices: await src.priceAges(s, positions),
          locks: await src.locks(s),
          pendingOrderRequests: await src.pendingOrderRequests(s.nc, s.prefix),
        },
        now,
      );
    }
    case 'roll_report':
      return rollReport(await src.rollInputs(s, await src.readPositions(s.nc, s.prefix)), now);
    case 'daily_pandl_report': {
      const fills = await src.contractFills(s);
      return pandlReport(
        await src.capitalHistory(s),
        now,
        windowMs,
        fills,
        await src.contractPricing(s, fills),
      );
    }
    case 'reconcile_report': {
      const positions = await src.readPositions(s.nc, s.prefix);
      return reconcileReport(
        {
          contract: positions.contract,
          strategy: positions.strategy,
          broker: await src.brokerPositions(s),
          locks: await src.locks(s),
        },
        now,
      );
    }
    case 'trade_report':
      return tradeReport(await src.fills(s), now, windowMs, await src.historicFamilies(s));
  }
}

/** Write the report file and store it as the latest of its name; returns the stored report. */
export async function publishReport(
  report: Report,
  s: src.ReportSources,
  opts: { write?: boolean } = {},
): Promise<StoredReport> {
  let path: string | undefined;
  if (opts.write !== false) {
    const dir = resolve(s.system.echo_directory, 'reports');
    await mkdir(dir, { recursive: true });
    path = join(dir, `${report.name}_${fileStamp(report.generatedAt)}.txt`);
    await writeFile(path, report.text);
  }
  const stored: StoredReport = { ...report, ...(path ? { path } : {}) };
  await (await ReportStore.open(s.nc, s.prefix)).put(stored);
  return stored;
}
