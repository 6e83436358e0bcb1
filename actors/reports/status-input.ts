/**
 * What the status report reads (digest §8 Status): process records and methods, price and FX
 * price ages, locks, waiting order requests, trade and position limits, stored and config
 * overrides, optimal positions' times, and the control config (start / stop times, previous
 * process, host) when the caller has it.
 */
import type { StatusInput } from '../../src/domain/reports/status.ts';
import * as ms from './market-sources.ts';
import * as src from './sources.ts';

export async function statusInput(s: src.ReportSources): Promise<StatusInput> {
  const positions = await src.readPositions(s.nc, s.prefix);
  const ctl = await ms.controls(s, positions);
  const { optimal } = await ms.strategyRecords(s);
  return {
    processes: await src.processLines(s),
    prices: await src.priceAges(s, positions),
    locks: await src.locks(s),
    pendingOrderRequests: await src.pendingOrderRequests(s.nc, s.prefix),
    fxPrices: await src.fxPriceAges(s),
    controlConfig: s.control && {
      timeZone: s.control.timeZone,
      processes: Object.values(s.control.processes)
        .map((p) => ({
          process: p.name,
          startTime: p.startTime,
          stopTime: p.stopTime,
          previousProcess: p.previousProcess,
          host: p.host,
        }))
        .sort((a, b) => a.process.localeCompare(b.process)),
    },
    tradeLimits: await ms.tradeLimits(s),
    positionLimits: ctl.limits,
    overrides: ctl.overrides,
    configOverrides: ctl.configOverrides,
    optimalPositions: optimal.map((o) => ({
      strategyName: o.strategy_name,
      instrumentCode: o.instrument_code,
      time: Date.parse(o.reference_datetime),
    })),
  };
}
