/**
 * `systack report ...`: the run_reports reports (digest §8). `show` prints the latest one
 * run_reports stored; `run` builds one now from the stores (on the system's clock: the
 * supervisor's anchor when it runs a simulated clock) and stores it as the latest.
 */
import type { Command } from 'commander';
import { buildReport, isReportName, publishReport, REPORT_NAMES } from '../../../actors/reports/build.ts';
import { ReportStore } from '../../../actors/reports/report-store.ts';
import { resolveProcessClock } from '../../../actors/supervisor/clock-sync.ts';
import { ProcessStore } from '../../../actors/supervisor/process-store.ts';
import { withBus } from '../context.ts';
import { CliError, printResult, UsageError } from '../output.ts';

interface Common {
  natsUrl?: string;
  json?: boolean;
}

function reportName(name: string) {
  if (!isReportName(name))
    throw new UsageError(`unknown report '${name}': one of ${REPORT_NAMES.join(', ')}`);
  return name;
}

function print(report: { text: string }, json: boolean | undefined): void {
  if (json) printResult(report, { json: true });
  else process.stdout.write(report.text.endsWith('\n') ? report.text : `${report.text}\n`);
}

export function register(program: Command): void {
  const report = program.command('report').description(`Reports (${REPORT_NAMES.join(', ')})`);
  const common = (c: Command) =>
    c
      .option('--nats-url <url>', 'NATS server (default: config or the running system)')
      .option('--json', 'print JSON (the report text and its figures)');

  common(report.command('list').description('Reports stored, with when they were generated')).action(
    (o: Common) =>
      withBus({ natsUrl: o.natsUrl }, async ({ nc, prefix }) => {
        const store = await ReportStore.open(nc, prefix);
        const rows = [];
        for (const name of await store.names()) {
          const r = await store.get(name);
          if (r) rows.push({ name, generated_at: new Date(r.generatedAt).toISOString(), path: r.path ?? '' });
        }
        printResult(rows, { json: o.json });
      }),
  );

  common(report.command('show <name>').description('Print the latest stored report of that name')).action(
    (name: string, o: Common) =>
      withBus({ natsUrl: o.natsUrl }, async ({ nc, prefix }) => {
        const r = await (await ReportStore.open(nc, prefix)).get(reportName(name));
        if (!r) throw new CliError(`no ${name} stored yet: run 'systack report run ${name}'`);
        print(r, o.json);
      }),
  );

  common(report.command('run <name>').description('Build a report now, store it and print it'))
    .option('--days <n>', 'P&L / trade window in days (default 1)')
    .option('--no-write', 'do not write the report file under echo_directory')
    .action((name: string, o: Common & { days?: string; write: boolean }) => {
      const n = reportName(name);
      const days = o.days === undefined ? 1 : Number(o.days);
      if (!Number.isFinite(days) || days <= 0)
        throw new UsageError(`--days must be a positive number, got '${o.days}'`);
      return withBus({ natsUrl: o.natsUrl }, async ({ nc, config, prefix }) => {
        const clock = await resolveProcessClock(process.env, await ProcessStore.open(nc, prefix));
        const sources = { nc, prefix, system: config.system, clock };
        const built = await buildReport(n, sources, { windowMs: days * 86_400_000 });
        print(await publishReport(built, sources, { write: o.write }), o.json);
      });
    });
}
