import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClientBroker } from '../../actors/broker-client.ts';
import { makeStrategyProcessMethods } from '../../actors/process-methods/index.ts';
import { oneOffMethodContext } from '../../actors/process-methods/types.ts';
import { buildReport } from '../../actors/reports/build.ts';
import { tickSizes } from '../../actors/reports/market-sources.ts';
import { brokerPositions } from '../../actors/reports/sources.ts';
import { openStrategyRuntime } from '../../actors/strategy-runtime.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadConfig, type ResolvedSystemConfig } from '../../src/config/load.ts';
import type { RiskData } from '../../src/domain/reports/risk.ts';
import { createRootLogger } from '../../src/log/logger.ts';
import { BrokerClientIds } from '../../src/store/broker-client-ids.ts';
import { latestTotal } from '../../src/store/capital-store.ts';
import { fakeWithContracts, NOW } from '../broker/ib-harness.ts';
import type { FakeTws } from '../fixtures/fake-tws/fake-tws.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { writeStrategyPrivateConfig } from '../support/strategy-config.ts';

const ibSystem = (port: number): ResolvedSystemConfig =>
  loadConfig({
    privateDir: writeStrategyPrivateConfig({ SP500: 1 }, [
      'broker: ib',
      'broker_account: DU123456',
      'offsystem_backup_directory: /tmp',
      `ib_port: ${port}`,
      'ib_idoffset: 100',
    ]),
  }).system;

describe('processes and report sources with broker: ib (fake TWS)', () => {
  let nats: TestNats;
  const started: FakeTws[] = [];
  const tws = async (opts: Parameters<typeof fakeWithContracts>[0]) => {
    const t = fakeWithContracts(opts);
    started.push(t);
    return { t, port: await t.start() };
  };
  beforeAll(async () => {
    nats = await startTestNats();
  });
  afterAll(async () => {
    for (const t of started) await t.stop();
    await nats.stop();
  });

  const capitalUpdate = async (prefix: string, system: ResolvedSystemConfig) => {
    const nc = await nats.connect();
    const clock = new SimulatedClock(NOW);
    const log = createRootLogger({
      processName: 'test',
      level: 'error',
      destination: { write: () => undefined },
    }).log;
    const methods = makeStrategyProcessMethods({});
    const ctx = oneOffMethodContext({
      process: 'run_capital_update',
      method: 'update_total_capital',
      ...{ clock, nc, prefix, system, log },
    });
    await methods.run_capital_update!.update_total_capital!(ctx);
    return { nc, clock, rt: await openStrategyRuntime(nc, prefix, system, clock) };
  };

  it('run_capital_update reads net liquidation and margin from IB with its own broker client id; the risk report shows the margin', async () => {
    const { t, port } = await tws({ netLiquidation: 765_432, maintMargin: 76_543.2 });
    const system = ibSystem(port);
    const { nc, clock, rt } = await capitalUpdate('ibp', system);
    const row = await latestTotal(rt.capitalStore);
    expect([row?.total_capital, row?.margin]).toEqual([765_432, 76_543.2]);
    // It connected as ib_idoffset + its broker client id (the first free one, 1) and gave the id
    // back when it closed its broker.
    expect([...t.apiStarts.keys()]).toEqual([101]);
    expect(await (await BrokerClientIds.open(nc, 'ibp')).list()).toEqual([]);
    const risk = (await buildReport('risk_report', { nc, prefix: 'ibp', system, clock })).data as RiskData;
    expect(risk.margin).toBe(76_543.2);
    expect(risk.marginUsage).toBeCloseTo(0.1, 12);
  });

  it('a margin IB does not report is unknown, never zero: no margin on the capital row, none in the risk report', async () => {
    const { port } = await tws({ netLiquidation: 500_000 });
    const system = ibSystem(port);
    const { nc, clock, rt } = await capitalUpdate('ibq', system);
    const row = await latestTotal(rt.capitalStore);
    expect(row?.total_capital).toBe(500_000);
    expect(row !== undefined && 'margin' in row).toBe(false);
    const report = await buildReport('risk_report', { nc, prefix: 'ibq', system, clock });
    const risk = report.data as RiskData;
    expect([risk.margin, risk.marginUsage]).toEqual([undefined, undefined]);
    expect(report.text).toMatch(/margin\s+not reported by the broker/);
  });

  it('report sources connect with a broker client id recorded for the report and released after', async () => {
    const { t, port } = await tws({ fillMode: 'auto' });
    const system = ibSystem(port);
    const nc = await nats.connect();
    const clock = new SimulatedClock(NOW);
    const s = { nc, prefix: 'ibr', system, clock, process: 'run_reports' };
    const ids = await BrokerClientIds.open(nc, 'ibr');
    // Another process holds id 1: the report gets 2, connects as 102, and records who it is.
    await ids.allocate({ process: 'run_stack_handler', pid: 1, host: 'elsewhere', allocated_at: 0 });
    const held = await withClientBroker({ ...s, process: 'run_reports (probe)' }, async () =>
      (await ids.list()).map((r) => [r.client_id, r.process]),
    );
    expect(held).toEqual([
      [1, 'run_stack_handler'],
      [2, 'run_reports (probe)'],
    ]);
    expect(await brokerPositions(s)).toEqual([]);
    const ticks = await tickSizes(s, new Map([['SP500', '202612']]));
    expect(ticks.get('SP500')).toBe(0.25);
    expect([...t.apiStarts.entries()]).toEqual([[102, 3]]);
    expect((await ids.list()).map((r) => r.client_id)).toEqual([1]);
    // A broker that cannot be made (here: no IB instrument config) gives its id back too.
    const broken = { ...s, system: { ...system, ib_config_dir: '/nonexistent' } };
    expect(await tickSizes(broken, new Map([['SP500', '202612']]))).toEqual(new Map());
    expect((await ids.list()).map((r) => r.client_id)).toEqual([1]);
  });
});
