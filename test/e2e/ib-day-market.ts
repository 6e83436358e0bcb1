/**
 * The market of the IB trading-day test (ib-day.test.ts): a fake TWS listing every month of the
 * sample instruments (ib_config_futures.csv symbols), with daily and hourly bars at the sample
 * data's last prices, quotes one tick wide, open all day, and commission reports that come 50 ms
 * after their executions; historical requests that break IB's pacing rules get IB's 162.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { IB_HISTORICAL_PACING } from '../../src/broker/ib/pacing.ts';
import { type FakeBar, FakeTws } from '../fixtures/fake-tws/fake-tws.ts';

const SAMPLE = join(import.meta.dirname, '../../sample-data/pysystemtrade');
/** Tuesday 5 September 2023, 12:28 UTC: the evening processes start two minutes later. */
export const START = Date.UTC(2023, 8, 5, 12, 28);
/**
 * The simulated clock's speed. The run lasts 12 simulated hours (`--days 1` ends half a day after
 * the start at the earliest), about 45 s at 1000×; the evening's chain of processes (prices →
 * systems → orders, each a child process) must fit in that. On a busy machine a child takes many
 * seconds to start, so the clock runs slower there (`IB_DAY_SPEED` sets it).
 */
function daySpeed(): number {
  if (process.env.IB_DAY_SPEED) return Number(process.env.IB_DAY_SPEED);
  const busy = loadavg()[0]! / Math.max(1, availableParallelism());
  return busy <= 2 ? 1000 : busy <= 5 ? 600 : 400;
}
export const SPEED = daySpeed();
export const COMMISSION = 2.25;

/** The sample instruments as IB lists them (ib_config_futures.csv) with their ticks. */
export const IB: Record<string, { symbol: string; exchange: string; multiplier: number; tick: number }> = {
  GOLD: { symbol: 'GC', exchange: 'COMEX', multiplier: 100, tick: 0.1 },
  SOFR: { symbol: 'SOFR3', exchange: 'CME', multiplier: 2500, tick: 0.005 },
  SP500: { symbol: 'ES', exchange: 'CME', multiplier: 50, tick: 0.25 },
  US10: { symbol: 'ZN', exchange: 'CBOT', multiplier: 1000, tick: 0.015625 },
};

/** Last multiple-prices row: the price of each contract it names (the priced one for the rest). */
function lastPrices(instrument: string): { price: number; byContract: Map<string, number> } {
  const lines = readFileSync(join(SAMPLE, 'multiple_prices_csv', `${instrument}.csv`), 'utf8')
    .trim()
    .split('\n');
  const [, carry, carryC, price, priceC, fwd, fwdC] = (lines.at(-1) ?? '').split(',');
  const byContract = new Map<string, number>();
  for (const [p, c] of [
    [carry, carryC],
    [price, priceC],
    [fwd, fwdC],
  ])
    if (p && c) byContract.set(c.slice(0, 6), Number(p));
  return { price: Number(price), byContract };
}

/** Every month of 2023-09 … 2028-12 for each instrument, with bars, quotes and open hours. */
export function fakeMarket(): FakeTws {
  const tws = new FakeTws({
    netLiquidation: 1_000_000,
    commissionPerContract: COMMISSION,
    commissionDelayMs: 50,
    // IB's own historical-data pacing: a request breaking it is answered 162, as IB does.
    enforcePacing: IB_HISTORICAL_PACING,
  });
  const t0 = Date.now();
  tws.now = () => START + (Date.now() - t0) * SPEED;
  let conId = 5000;
  const hours = ['20230905', '20230906'].map((d) => `${d}:0000-${d}:2359`).join(';');
  for (const [instrument, ib] of Object.entries(IB)) {
    const { price, byContract } = lastPrices(instrument);
    for (let y = 2023; y <= 2028; y++)
      for (let m = y === 2023 ? 9 : 1; m <= 12; m++) {
        const month = `${y}${String(m).padStart(2, '0')}`;
        const k = tws.addFuture({
          conId: ++conId,
          symbol: ib.symbol,
          expiry: `${month}15`,
          multiplier: ib.multiplier,
          exchange: ib.exchange,
          currency: 'USD',
          minTick: ib.tick,
          timeZoneId: 'UTC',
          tradingHours: hours,
        });
        const close = byContract.get(month) ?? price;
        const bar = (date: string): FakeBar => ({
          date,
          open: close,
          high: close,
          low: close,
          close,
          volume: 100,
        });
        tws.bars.set(`${k.conId}|1 day`, [bar('20230901'), bar('20230905')]);
        tws.bars.set(`${k.conId}|1 hour`, [bar('20230905 09:00:00 UTC'), bar('20230905 10:00:00 UTC')]);
        tws.quotes.set(k.conId, { bid: close - ib.tick, ask: close, bidSize: 50, askSize: 50 });
      }
  }
  tws.bars.set('EUR.USD', [{ date: '20230905', open: 1.08, high: 1.08, low: 1.08, close: 1.08, volume: 0 }]);
  return tws;
}
