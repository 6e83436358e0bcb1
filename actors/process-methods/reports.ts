/**
 * run_reports' methods (production doc "Reports"; digest §8): each builds one report from the
 * stored data, writes it under `<echo_directory>/reports/` and keeps the latest in
 * `<PREFIX>_REPORTS`. Email is not built: the file and the store are the outputs.
 */
import { buildReport, publishReport, REPORT_NAMES, type ReportName } from '../reports/build.ts';
import type { ProcessMethod } from './types.ts';

function reportMethod(name: ReportName): ProcessMethod {
  return async (ctx) => {
    const sources = { nc: ctx.nc, prefix: ctx.prefix, system: ctx.system, clock: ctx.clock };
    const stored = await publishReport(await buildReport(name, sources), sources);
    ctx.log.info(
      { component: 'reports', process: ctx.process, method: ctx.method, path: stored.path },
      `${name} written`,
    );
  };
}

export function reportMethods(): Record<ReportName, ProcessMethod> {
  return Object.fromEntries(REPORT_NAMES.map((n) => [n, reportMethod(n)])) as Record<
    ReportName,
    ProcessMethod
  >;
}
