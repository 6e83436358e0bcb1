/**
 * Two weeks of the simulated market on a real nats-server (issue 13, "The simulated market"):
 * the bundled sample, the daily price updates, the capital update and the daily P&L report run
 * each simulated day through the process methods and the broker `broker: sim` processes use;
 * orders go to the simulated broker around the clock, weekends and a holiday included.
 */
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capitalMethods } from '../../actors/process-methods/capital.ts';
import { priceMethods } from '../../actors/process-methods/prices.ts';
import { processBroker } from '../../actors/process-methods/process-broker.ts';
import { type MethodContext, oneOffMethodContext } from '../../actors/process-methods/types.ts';
import { contractPricing } from '../../actors/reports/sources.ts';
import { openStrategyRuntime } from '../../actors/strategy-runtime.ts';
import type { BrokerFill, BrokerPort } from '../../src/broker/port.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { loadConfig, type ResolvedSystemConfig } from '../../src/config/load.ts';
import { loadSimMarketConfig } from '../../src/config/sim-market.ts';
import { DAY_MS, type PandlReportData, pandlReport } from '../../src/domain/reports/pandl.ts';
import { createRootLogger, type Logger } from '../../src/log/logger.ts';
import { latestStrategyCapital, latestTotal } from '../../src/store/capital-store.ts';
import { importPrices } from '../../src/store/csv/import.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { writeStrategyPrivateConfig } from '../support/strategy-config.ts';

const SAMPLE = join(import.meta.dirname, '../../sample-data/pysystemtrade');
const HOUR = 3_600_000;
const SEP1 = Date.UTC(2023, 8, 1); // a Friday; Monday 2023-09-04 is Labor Day
const PREFIX = 'simmkt';
/** Hours (UTC) at which orders are sent, open market or not (21:30 is CME's daily break). */
const ORDER_HOURS = [0.5, 3, 7, 11, 14, 18, 21.5, 23.5];

let nats: TestNats;
let nc: NatsConnection;
let system: ResolvedSystemConfig;
let log: Logger;
const clock = new SimulatedClock(SEP1);
const lines: Array<{ level: number; msg: string }> = [];

const ctx = (process: string, method: string): MethodContext =>
  oneOffMethodContext({ process, method, clock, nc, prefix: PREFIX, system, log });

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  system = loadConfig({ privateDir: writeStrategyPrivateConfig({ GOLD: 0.5, SP500: 0.5 }) }).system;
  log = createRootLogger({
    processName: 'test',
    level: 'info',
    destination: { write: (s: string) => lines.push(JSON.parse(s) as { level: number; msg: string }) },
  }).log;
  await importPrices(await JetStreamPriceStore.open(nc, PREFIX), SAMPLE);
}, 60_000);
afterAll(async () => {
  await nats?.stop();
});

describe('the simulated market over two weeks', () => {
  it('trades only in sessions, on the tick grid at bid/ask with commissions; no spike alerts; capital and the P&L report agree', async () => {
    const store = await JetStreamPriceStore.open(nc, PREFIX);
    const market = loadSimMarketConfig();
    const contracts: Array<{ instrumentCode: string; contractDate: string }> = [];
    for (const code of await store.listMultiplePrices()) {
      const m = (await store.getMultiplePrices(code))!;
      contracts.push({ instrumentCode: code, contractDate: m.priceContract[m.times.length - 1]! });
    }
    const prices = priceMethods();
    const capital = capitalMethods();
    const rt = await openStrategyRuntime(nc, PREFIX, system, clock);
    const reports: PandlReportData[] = [];
    const accountValues: number[] = [];
    const checkedAtQuote: Array<{ fill: BrokerFill; expected: number }> = [];
    let broker: BrokerPort | undefined;
    let n = 0;
    const placedAt = new Map<string, number>();

    const eveningRun = async (): Promise<void> => {
      for (const m of Object.keys(prices)) await prices[m]!(ctx('run_daily_prices_updates', m));
    };
    const capitalAndReport = async (first: boolean): Promise<void> => {
      await capital.update_total_capital!(ctx('run_capital_update', 'update_total_capital'));
      await capital.strategy_allocation!(ctx('run_capital_update', 'strategy_allocation'));
      accountValues.push((await latestTotal(rt.capitalStore))!.broker_account_value);
      if (first) return;
      const fills = await broker!.fills(0);
      const pricing = await contractPricing({ nc, prefix: PREFIX, system, clock }, fills);
      const history = await rt.capitalStore.totalHistory();
      reports.push(pandlReport(history, clock.now(), DAY_MS, fills, pricing).data);
    };

    for (let day = 0; day < 14; day++) {
      const d = SEP1 + day * DAY_MS;
      const events: Array<[number, () => Promise<void>]> = [
        [d + 12.5 * HOUR, eveningRun],
        [d + (12 + 2 / 3) * HOUR, () => capitalAndReport(day === 0)],
      ];
      // trading starts after the first capital row
      for (const h of ORDER_HOURS.filter((x) => day > 0 || x > 12.7))
        events.push([
          d + h * HOUR,
          async () => {
            broker ??= await processBroker(ctx('run_stack_handler', 'handle'));
            if (!broker.isConnected()) await broker.connect();
            const sim = broker as BrokerPort & { evaluateResting(): void; idle(): Promise<void> };
            sim.evaluateResting(); // orders that were waiting for the market to open
            await sim.idle();
            const c = contracts[n % contracts.length]!;
            const qty = [1, -2, 3, -1, 2][n % 5]!;
            n++;
            placedAt.set(`sim-${n}`, clock.now());
            const snap = await broker.marketSnapshot(c);
            await broker.placeOrder({ orderRef: `sim-${n}`, legs: [{ ...c, qty }], orderType: 'market' });
            await sim.idle();
            const fill = (await broker.fills(0)).find((f) => f.orderRef === `sim-${n}`);
            if (fill) checkedAtQuote.push({ fill, expected: qty > 0 ? snap.ask : snap.bid });
          },
        ]);
      events.sort((a, b) => a[0] - b[0]);
      for (const [t, run] of events) {
        clock.set(t);
        await run();
      }
    }
    const fills = await broker!.fills(0);
    await broker!.disconnect();

    // No fills outside the sessions: none on a weekend or on Labor Day, every one in a session.
    expect(fills.length).toBeGreaterThan(60);
    for (const f of fills) {
      const terms = market.terms(f.instrumentCode);
      expect(terms.calendar.isOpen(f.time), `${f.execId} at ${new Date(f.time).toISOString()}`).toBe(true);
      expect(new Date(f.time).getUTCDay()).not.toBe(6);
      expect(new Date(f.time).toISOString().slice(0, 10)).not.toBe('2023-09-04');
      // On the tick grid, with the per-contract commission of the instrument config.
      const ticks = f.price / terms.tickSize;
      expect(Math.abs(ticks - Math.round(ticks))).toBeLessThan(1e-9);
      const perBlock = (await store.getInstrumentConfig(f.instrumentCode))!.meta!.perBlock;
      expect(f.commission).toBeCloseTo(perBlock * Math.abs(f.qty), 9);
    }
    // An order sent while the market was open filled at once at the quoted ask (buy) or bid (sell).
    expect(checkedAtQuote.length).toBeGreaterThan(20);
    for (const { fill, expected } of checkedAtQuote) expect(fill.price).toBe(expected);
    // Orders sent on Saturday waited for the market (Tuesday 00:00: the Sunday evening session
    // runs into the holiday and is closed).
    const saturday = fills.filter((f) => new Date(placedAt.get(f.orderRef)!).getUTCDay() === 6);
    expect(saturday.length).toBeGreaterThan(0);
    for (const f of saturday.filter((x) => placedAt.get(x.orderRef)! < Date.UTC(2023, 8, 3)))
      expect(f.time).toBe(Date.UTC(2023, 8, 5, 0, 30));

    // No spike alerts, no critical line at all, no quarantine: the walk is one the check accepts.
    expect(lines.filter((l) => l.level >= 55).map((l) => l.msg)).toEqual([]);

    // Capital moves with P&L; each day's report: total P&L = futures P&L − commissions (residual 0).
    expect(reports).toHaveLength(13);
    for (const r of reports) {
      expect(r.instruments.unpriced).toEqual([]);
      expect(r.residual).not.toBeNull();
      expect(Math.abs(r.residual!)).toBeLessThan(1e-6);
      expect(r.pandl!).toBeCloseTo(r.accountValueChange!, 6);
      expect(r.totalCapitalChange!).toBeCloseTo(r.pandl!, 6);
    }
    const total = reports.reduce((s, r) => s + r.pandl!, 0);
    expect(Math.abs(total)).toBeGreaterThan(100);
    expect(accountValues.at(-1)! - accountValues[0]!).toBeCloseTo(total, 6);
    expect(reports.reduce((s, r) => s + r.instruments.commissions, 0)).toBeGreaterThan(100);
    const last = (await latestTotal(rt.capitalStore))!;
    expect(last.total_capital).toBeCloseTo(accountValues.at(-1)!, 6);
    expect((await latestStrategyCapital(rt.capitalStore, 'carry_trend'))!.capital).toBeCloseTo(
      last.total_capital,
      6,
    );
  }, 240_000);
});
