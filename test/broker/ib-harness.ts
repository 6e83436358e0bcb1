/** A fake TWS with a few contracts and an IbBroker connected to it (tests and bench). */
import { join } from 'node:path';
import { IbBroker, type IbBrokerOptions } from '../../src/broker/ib/ib-broker.ts';
import { loadIbInstrumentConfig } from '../../src/broker/ib/ib-config.ts';
import type { BrokerEvent } from '../../src/broker/port.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { FakeTws, type FakeTwsOptions } from '../fixtures/fake-tws/fake-tws.ts';

export const IB_CONFIG_DIR = join(import.meta.dirname, '../../sample-data/pysystemtrade/ibconfig');
export const NOW = Date.UTC(2026, 10, 30, 14, 0, 0);

export interface IbHarness {
  tws: FakeTws;
  broker: IbBroker;
  events: BrokerEvent[];
  port: number;
  close(): Promise<void>;
}

export function fakeWithContracts(opts: FakeTwsOptions = {}): FakeTws {
  const tws = new FakeTws(opts);
  tws.now = () => NOW;
  const es = tws.addFuture({
    conId: 1001,
    symbol: 'ES',
    expiry: '20261218',
    multiplier: 50,
    exchange: 'CME',
    currency: 'USD',
    tradingHours: '20261130:1700-20261201:1600;20261201:CLOSED',
  });
  tws.addFuture({
    conId: 1005,
    symbol: 'ES',
    expiry: '20270319',
    multiplier: 50,
    exchange: 'CME',
    currency: 'USD',
  });
  tws.addFuture({
    conId: 1002,
    symbol: 'ZC',
    expiry: '20261214',
    multiplier: 5000,
    exchange: 'CBOT',
    currency: 'USD',
    minTick: 0.0025,
  });
  tws.addFuture({
    conId: 1003,
    symbol: 'VIX',
    expiry: '20261216',
    multiplier: 1000,
    exchange: 'CFE',
    currency: 'USD',
    tradingClass: 'VX',
  });
  tws.addFuture({
    conId: 1004,
    symbol: 'VIX',
    expiry: '20261202',
    multiplier: 1000,
    exchange: 'CFE',
    currency: 'USD',
    tradingClass: 'VX48',
  });
  tws.quotes.set(es.conId, { bid: 5000, ask: 5000.25, bidSize: 10, askSize: 12 });
  tws.quotes.set(1005, { bid: 5060, ask: 5060.25, bidSize: 8, askSize: 9 });
  tws.quotes.set(1002, { bid: 4.5, ask: 4.5025, bidSize: 5, askSize: 6 });
  tws.bars.set(es.conId, [
    { date: '20261126', open: 4990, high: 5010, low: 4980, close: 5000, volume: 1000 },
    { date: '20261127', open: 5000, high: 5020, low: 4995, close: 5015, volume: 1100 },
  ]);
  tws.bars.set(1002, [{ date: '20261127', open: 4.5, high: 4.6, low: 4.4, close: 4.55, volume: 10 }]);
  tws.bars.set('USD.JPY', [{ date: '20261127', open: 150, high: 151, low: 149, close: 150, volume: 0 }]);
  tws.bars.set('EUR.USD', [{ date: '20261127', open: 1.1, high: 1.1, low: 1.1, close: 1.1, volume: 0 }]);
  return tws;
}

export function brokerFor(port: number, extra: Partial<IbBrokerOptions> = {}): IbBroker {
  return new IbBroker({
    host: '127.0.0.1',
    port,
    clientId: 101,
    clock: new SimulatedClock(NOW),
    instruments: loadIbInstrumentConfig(IB_CONFIG_DIR),
    connectTimeoutMs: 10_000,
    requestTimeoutMs: 10_000,
    backoffBaseMs: 50,
    backoffMaxMs: 500,
    maxReqPerSec: 1000,
    ...extra,
  });
}

export async function ibHarness(
  opts: FakeTwsOptions = {},
  extra: Partial<IbBrokerOptions> = {},
): Promise<IbHarness> {
  const tws = fakeWithContracts(opts);
  const port = await tws.start();
  const broker = brokerFor(port, extra);
  const events: BrokerEvent[] = [];
  broker.onEvent((e) => events.push(e));
  await broker.connect();
  return {
    tws,
    broker,
    events,
    port,
    close: async () => {
      await broker.disconnect();
      await tws.stop();
    },
  };
}

/** Wait until a condition holds (polling; for events arriving over the socket). */
export async function until(cond: () => boolean, what = 'condition', ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
