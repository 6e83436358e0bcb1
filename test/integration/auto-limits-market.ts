/**
 * The stored market the auto-populate limit tests (position limits, trade limits) run on: SOFR
 * (USD, point size 2500) and EUROSTX (EUR, point size 10, EURUSD 1.1) with 120 daily prices of a
 * known, steady daily stdev, and V2X with two prices (no stdev, so no risk figure and no limit).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll } from 'vitest';
import { JetStreamCapitalStore } from '../../src/store/capital-store.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { type CliRun, runSystack } from '../support/cli.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';

export const PREFIX = 'systack';
export const T0 = Date.UTC(2026, 7, 1);
const DAY = 86_400_000;

const meta = (currency: string, pointsize: number) => ({
  description: '',
  pointsize,
  currency,
  assetClass: 'Test',
  perBlock: 0,
  percentage: 0,
  perTrade: 0,
  region: '',
});

/** Daily prices whose differences alternate +step, −step/2 (a known, steady daily stdev). */
function prices(n: number, start: number, step: number) {
  const times = new Float64Array(n);
  const values = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    times[k] = T0 + k * DAY;
    values[k] = k === 0 ? start : values[k - 1]! + (k % 2 === 1 ? step : -step / 2);
  }
  return { times, values };
}

export async function storeRiskMarket(nc: NatsConnection): Promise<void> {
  const store = await JetStreamPriceStore.open(nc, PREFIX);
  await store.putInstrumentConfig({ instrumentCode: 'SOFR', meta: meta('USD', 2500) });
  await store.putAdjustedPrices('SOFR', prices(120, 95, 0.04));
  await store.putInstrumentConfig({ instrumentCode: 'EUROSTX', meta: meta('EUR', 10) });
  await store.putAdjustedPrices('EUROSTX', prices(120, 4000, 40));
  await store.putFxPrices('EURUSD', { times: new Float64Array([T0]), values: new Float64Array([1.1]) });
  // two prices: no daily stdev, so no limit
  await store.putInstrumentConfig({ instrumentCode: 'V2X', meta: meta('EUR', 100) });
  await store.putAdjustedPrices('V2X', prices(2, 20, 1));
}

/** The total capital initialised at `amount` (at T0). */
export async function storeTotalCapital(nc: NatsConnection, amount: number): Promise<void> {
  await (
    await JetStreamCapitalStore.open(nc, PREFIX)
  ).appendTotal({
    timestamp: T0,
    kind: 'initialise',
    broker_account_value: amount,
    total_capital: amount,
    max_capital: amount,
    accumulated_pnl: 0,
  });
}

export interface RiskMarketServer {
  /** The connection to it (once the file's tests have begun). */
  nc(): NatsConnection;
  /** `systack <args> --nats-url <its url>`. */
  systack(...args: string[]): Promise<CliRun>;
}

/**
 * The test file's nats-server, with the risk market stored before its tests (then `ready` on the
 * connection) and stopped after them.
 */
export function riskMarketServer(ready: (nc: NatsConnection) => Promise<void>): RiskMarketServer {
  let nats: TestNats | undefined;
  let nc: NatsConnection | undefined;
  beforeAll(async () => {
    nats = await startTestNats();
    nc = await nats.connect();
    await storeRiskMarket(nc);
    await ready(nc);
  }, 60_000);
  afterAll(async () => nats?.stop());
  return {
    nc: () => nc!,
    systack: (...args) => runSystack([...args, '--nats-url', nats!.url]),
  };
}
