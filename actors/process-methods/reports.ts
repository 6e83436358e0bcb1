/**
 * run_reports' methods (production doc "Reports"; digest §8): each builds one report from the
 * stored data, writes it (text and HTML) under `<echo_directory>/reports/`, keeps the latest in
 * `<PREFIX>_REPORTS` and, when email is configured, emails it: an HTML body with the text as
 * the fallback part and the HTML file with its plots attached. A failed send is queued and
 * retried (src/email/sender.ts); it never fails the method.
 */
import { fileStamp, type Report } from '../../src/domain/reports/format.ts';
import { reportEmailHtml } from '../../src/domain/reports/html.ts';
import { openEmailSender } from '../../src/email/alerts.ts';
import { emailSettings } from '../../src/email/mailer.ts';
import type { EmailMessage } from '../../src/store/email-store.ts';
import { loadConfig } from '../../src/config/load.ts';
import { buildReport, publishReport, REPORT_NAMES, type ReportName } from '../reports/build.ts';
import { controlConfigOf } from '../supervisor/control-config.ts';
import { renderReportHtml } from '../reports/chart-library.ts';
import type { ProcessMethod } from './types.ts';

/** The email of a report: subject = its first line (title and time). */
export function reportEmail(report: Report): EmailMessage {
  const filename = `${report.name}_${fileStamp(report.generatedAt)}.html`;
  return {
    subject: report.text.split('\n')[0] ?? report.name,
    text: report.text,
    html: reportEmailHtml(report, filename),
    report: true,
    attachments: [{ filename, content: renderReportHtml(report), contentType: 'text/html' }],
  };
}

function reportMethod(name: ReportName): ProcessMethod {
  return async (ctx) => {
    // The control config as this process was started with (same files and environment).
    const control = name === 'status_report' ? controlConfigOf(loadConfig()) : undefined;
    const sources = {
      ...{ nc: ctx.nc, prefix: ctx.prefix, system: ctx.system, clock: ctx.clock, control },
      process: ctx.process,
    };
    const stored = await publishReport(await buildReport(name, sources), sources);
    ctx.log.info(
      { component: 'reports', process: ctx.process, method: ctx.method, path: stored.path },
      `${name} written`,
    );
    if (!emailSettings(ctx.system)) return;
    const sender = await openEmailSender(ctx.nc, ctx.prefix, ctx.system, ctx.clock, ctx.log);
    try {
      await sender.send(reportEmail(stored));
    } finally {
      sender.stop();
    }
  };
}

export function reportMethods(): Record<ReportName, ProcessMethod> {
  return Object.fromEntries(REPORT_NAMES.map((n) => [n, reportMethod(n)])) as Record<
    ReportName,
    ProcessMethod
  >;
}
