/**
 * `systack report ...`: the run_reports reports (digest §8). `show` prints the latest one
 * run_reports stored; `run` builds one now from the stores (on the system's clock: the
 * supervisor's anchor when it runs a simulated clock) and stores it as the latest.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { renderReportHtml } from '../../../actors/reports/chart-library.ts';
import type { Report } from '../../../src/domain/reports/format.ts';
import { buildReport, isReportName, REPORT_NAMES } from '../../../actors/reports/build.ts';
import { publishReport } from '../../../actors/reports/publish.ts';
import { MarketMonitorDatesError, monitorDatesFrom } from '../../../src/domain/reports/market-monitor.ts';
import { FileReportStore, type ReportReader, ReportStore } from '../../../actors/reports/report-store.ts';
import { resolveProcessClock } from '../../../actors/supervisor/clock-sync.ts';
import { controlConfigOf } from '../../../actors/supervisor/control-config.ts';
import { ProcessStore } from '../../../actors/supervisor/process-store.ts';
import { loadConfig } from '../../config/load.ts';
import { resolveNatsUrl, withBus } from '../context.ts';
import { CliError, printResult, UsageError } from '../output.ts';

interface Common {
  natsUrl?: string;
  json?: boolean;
  html?: string;
}

function reportName(name: string) {
  if (!isReportName(name))
    throw new UsageError(`unknown report '${name}': one of ${REPORT_NAMES.join(', ')}`);
  return name;
}

async function print(report: Report, o: { json?: boolean; html?: string }): Promise<void> {
  if (o.html) {
    await writeFile(o.html, renderReportHtml(report));
    process.stderr.write(`HTML written to ${o.html}\n`);
  }
  if (o.json) printResult(report, { json: true });
  else process.stdout.write(report.text.endsWith('\n') ? report.text : `${report.text}\n`);
}

/**
 * The stored reports: the running system's KV bucket, or with no system running (and no
 * `--nats-url`) the latest report files under `<echo_directory>/reports/latest/`.
 */
async function withReports(o: Common, fn: (store: ReportReader) => Promise<void>): Promise<void> {
  const config = loadConfig();
  let running = true;
  try {
    resolveNatsUrl(config, o.natsUrl);
  } catch (err) {
    if (!(err instanceof CliError)) throw err;
    running = false; // no system found: read the files it left
  }
  if (!running) return fn(new FileReportStore(config.system.echo_directory));
  return withBus({ natsUrl: o.natsUrl }, async ({ nc, prefix }) => fn(await ReportStore.open(nc, prefix)));
}

export function register(program: Command): void {
  const report = program.command('report').description(`Reports (${REPORT_NAMES.join(', ')})`);
  const common = (c: Command) =>
    c
      .option('--nats-url <url>', 'NATS server (default: config or the running system)')
      .option('--json', 'print JSON (the report text and its figures)');

  common(report.command('list').description('Reports stored, with when they were generated')).action(
    (o: Common) =>
      withReports(o, async (store) => {
        const rows = [];
        for (const name of await store.names()) {
          const r = await store.get(name);
          if (r)
            rows.push({
              name,
              generated_at: new Date(r.generatedAt).toISOString(),
              path: r.path ?? '',
              html: r.htmlPath ?? '',
            });
        }
        printResult(rows, { json: o.json });
      }),
  );

  common(report.command('show <name>').description('Print the latest stored report of that name'))
    .option('--html <file>', 'also write it as a self-contained HTML file with its plots')
    .action((name: string, o: Common) =>
      withReports(o, async (store) => {
        const r = await store.get(reportName(name));
        if (!r) throw new CliError(`no ${name} stored yet: run 'systack report run ${name}'`);
        await print(r, o);
      }),
    );

  common(report.command('run <name>').description('Build a report now, store it and print it'))
    .option('--days <n>', 'P&L / trade window in days (default 1)')
    .option('--no-write', 'do not write the report files (.txt, .html) under echo_directory')
    .option('--html <file>', 'also write it as a self-contained HTML file with its plots')
    .option('--start <date>', 'market_monitor_report: custom start date (YYYY-MM-DD)')
    .option('--end <date>', 'market_monitor_report: custom end date (YYYY-MM-DD, default now)')
    .action((name: string, o: Common & { days?: string; write: boolean; start?: string; end?: string }) => {
      const n = reportName(name);
      const days = o.days === undefined ? 1 : Number(o.days);
      if (!Number.isFinite(days) || days <= 0)
        throw new UsageError(`--days must be a positive number, got '${o.days}'`);
      if ((o.start !== undefined || o.end !== undefined) && n !== 'market_monitor_report')
        throw new UsageError('--start and --end are for market_monitor_report only');
      let marketMonitorDates;
      try {
        marketMonitorDates = monitorDatesFrom({ start_date: o.start, end_date: o.end });
      } catch (err) {
        if (err instanceof MarketMonitorDatesError) throw new UsageError(err.message);
        throw err;
      }
      return withBus({ natsUrl: o.natsUrl }, async ({ nc, config, prefix }) => {
        const clock = await resolveProcessClock(process.env, await ProcessStore.open(nc, prefix));
        const sources = { nc, prefix, system: config.system, clock, control: controlConfigOf(config) };
        let built;
        try {
          built = await buildReport(n, sources, { windowMs: days * 86_400_000, marketMonitorDates });
        } catch (err) {
          // start after end, or after the system's clock: a usage error, nothing stored
          if (err instanceof MarketMonitorDatesError) throw new UsageError(err.message);
          throw err;
        }
        await print(await publishReport(built, sources, { write: o.write }), o);
      });
    });
}
