import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStrategyProcessMethods } from '../../actors/process-methods/index.ts';
import { oneOffMethodContext } from '../../actors/process-methods/types.ts';
import { openStrategyRuntime } from '../../actors/strategy-runtime.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createRootLogger } from '../../src/log/logger.ts';
import { BrokerClientIds } from '../../src/store/broker-client-ids.ts';
import { latestTotal } from '../../src/store/capital-store.ts';
import { fakeWithContracts, NOW } from '../broker/ib-harness.ts';
import type { FakeTws } from '../fixtures/fake-tws/fake-tws.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { writeStrategyPrivateConfig } from '../support/strategy-config.ts';

describe('a process method with broker: ib (fake TWS)', () => {
  let nats: TestNats;
  let tws: FakeTws;
  let port: number;
  beforeAll(async () => {
    nats = await startTestNats();
    tws = fakeWithContracts({ netLiquidation: 765_432 });
    port = await tws.start();
  });
  afterAll(async () => {
    await tws.stop();
    await nats.stop();
  });

  it('run_capital_update reads net liquidation from IB with its own broker client id, released after', async () => {
    const dir = writeStrategyPrivateConfig({ SP500: 1 }, [
      'broker: ib',
      'broker_account: DU123456',
      'offsystem_backup_directory: /tmp',
      `ib_port: ${port}`,
      'ib_idoffset: 100',
    ]);
    const system = loadConfig({ privateDir: dir }).system;
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
      clock,
      nc,
      prefix: 'ibp',
      system,
      log,
    });
    await methods.run_capital_update!.update_total_capital!(ctx);
    const rt = await openStrategyRuntime(nc, 'ibp', system, clock);
    expect((await latestTotal(rt.capitalStore))?.total_capital).toBe(765_432);
    // It connected as ib_idoffset + its broker client id (the first free one, 1) and gave the id
    // back when it closed its broker.
    expect([...tws.apiStarts.keys()]).toEqual([101]);
    expect(await (await BrokerClientIds.open(nc, 'ibp')).list()).toEqual([]);
  });
});
