import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CapitalRow } from '../../../src/domain/capital/total-capital.ts';
import { fileStamp, table } from '../../../src/domain/reports/format.ts';
import { DAY_MS, pandlReport, pandlSummary } from '../../../src/domain/reports/pandl.ts';
import { instrumentPandl } from '../../../src/domain/reports/instrument-pandl.ts';
import { externalBreaks, internalBreaks } from '../../../src/domain/reports/reconcile.ts';
import { daysToExpiry } from '../../../src/domain/reports/roll.ts';
import { type HistoricFamily, slippageRows } from '../../../src/domain/reports/slippage.ts';
import { statusSummary } from '../../../src/domain/reports/status.ts';
import { tradeSummary } from '../../../src/domain/reports/trades.ts';

const T = Date.UTC(2024, 0, 10, 20, 25);
const row = (timestamp: number, v: Partial<CapitalRow>): CapitalRow => ({
  timestamp,
  kind: 'update',
  broker_account_value: 0,
  total_capital: 0,
  max_capital: 0,
  accumulated_pnl: 0,
  ...v,
});

describe('report formatting', () => {
  it('aligns numbers right and text left, and says (none) for no rows', () => {
    expect(
      table(
        ['a', 'n'],
        [
          ['x', 1.5],
          ['yy', 10],
        ],
      ),
    ).toBe(['a      n', '--  ----', 'x   1.50', 'yy    10'].join('\n'));
    expect(table(['a'], [])).toBe('(none)');
    expect(fileStamp(T)).toBe('20240110-2025');
  });
});

describe('P&L (digest §8 P&L)', () => {
  it('sums acc_pnl diffs over the earlier max capital, baseline the last row before the window', () => {
    const rows = [
      row(T - 2 * DAY_MS, {
        broker_account_value: 100,
        total_capital: 100,
        max_capital: 100,
        accumulated_pnl: 0,
      }),
      row(T - 10, {
        broker_account_value: 160,
        total_capital: 110,
        max_capital: 110,
        accumulated_pnl: 10,
        delta: 50,
        kind: 'deposit',
      }),
      row(T - 5, { broker_account_value: 155, total_capital: 105, max_capital: 110, accumulated_pnl: 5 }),
      row(T + 5, { accumulated_pnl: 99 }), // after the window end: ignored
    ];
    const d = pandlSummary(rows, T);
    expect(d.rows).toBe(2);
    expect(d.pandl).toBe(5);
    expect(d.pandlPercent).toBeCloseTo((10 / 100 - 5 / 110) * 100, 12);
    expect(d.flows).toBe(50);
    expect(d.accountValueChange).toBe(55);
    expect(d.totalCapitalChange).toBe(5);
  });
  it('gives n/a figures without capital rows', () => {
    expect(pandlSummary([], T)).toMatchObject({ pandl: null, pandlPercent: null, rows: 0 });
  });
});

const pos = fc.record({
  instrumentCode: fc.constantFrom('GOLD', 'SP500', 'BUND'),
  contractDate: fc.constantFrom('20240300', '20240600', '20240315'),
  position: fc.integer({ min: -5, max: 5 }),
});

describe('reconcile breaks (digest H1, H2)', () => {
  it('external: no break against itself; a break means the monthly sums differ', () => {
    fc.assert(
      fc.property(fc.array(pos), fc.array(pos), (ours, broker) => {
        expect(externalBreaks(ours, ours)).toEqual([]);
        const sum = (xs: typeof ours, i: string, m: string) =>
          xs
            .filter((p) => p.instrumentCode === i && p.contractDate.startsWith(m))
            .reduce((s, p) => s + p.position, 0);
        const breaks = externalBreaks(ours, broker);
        for (const b of breaks) {
          expect(b.ours).toBe(sum(ours, b.instrumentCode, b.contractMonth));
          expect(b.broker).toBe(sum(broker, b.instrumentCode, b.contractMonth));
          expect(b.ours).not.toBe(b.broker);
        }
        for (const i of ['GOLD', 'SP500', 'BUND'])
          for (const m of ['202403', '202406'])
            if (sum(ours, i, m) !== sum(broker, i, m))
              expect(breaks.some((b) => b.instrumentCode === i && b.contractMonth === m)).toBe(true);
      }),
    );
  });
  it('internal: strategy totals against contract totals per instrument', () => {
    const contract = [
      { instrumentCode: 'GOLD', contractDate: '20240300', position: 2 },
      { instrumentCode: 'GOLD', contractDate: '20240600', position: 1 },
      { instrumentCode: 'BUND', contractDate: '20240300', position: -1 },
    ];
    const strategy = [
      { strategyName: 'a', instrumentCode: 'GOLD', position: 1 },
      { strategyName: 'b', instrumentCode: 'GOLD', position: 2 },
      { strategyName: 'a', instrumentCode: 'SP500', position: 4 },
    ];
    expect(internalBreaks(contract, strategy)).toEqual([
      { instrumentCode: 'BUND', strategyTotal: 0, contractTotal: -1 },
      { instrumentCode: 'SP500', strategyTotal: 4, contractTotal: 0 },
    ]);
  });
});

describe('trades, roll, status', () => {
  it('groups fills in the window per strategy and instrument', () => {
    const f = (time: number, qty: number, price: number, strategyName?: string) => ({
      execId: String(time),
      kind: 'broker',
      instrumentCode: 'GOLD',
      qty,
      price,
      time,
      ...(strategyName ? { strategyName } : {}),
    });
    const d = tradeSummary(
      [f(T - DAY_MS, 9, 1), f(T - 3, 2, 10, 'a'), f(T - 2, -1, 13, 'a'), f(T - 1, 1, 5)],
      T,
    );
    expect(d.fills.map((x) => x.qty)).toEqual([2, -1, 1]);
    expect(d.byStrategyInstrument).toEqual([
      { strategyName: '(none)', instrumentCode: 'GOLD', fills: 1, netQty: 1, grossQty: 1, averagePrice: 5 },
      { strategyName: 'a', instrumentCode: 'GOLD', fills: 2, netQty: 1, grossQty: 3, averagePrice: 11 },
    ]);
  });
  it('days to expiry: 1st of the month plus the expiry offset, from today', () => {
    expect(daysToExpiry('20240300', T)).toBe(51); // 2024-03-01
    expect(daysToExpiry('20240100', T)).toBe(-9);
    expect(
      daysToExpiry('20240300', T, {
        holdRollCycle: 'H',
        rollOffsetDays: -5,
        carryOffset: 1,
        pricedRollCycle: 'H',
        expiryOffset: 14,
      }),
    ).toBe(65);
  });
  it('status: methods and prices older than 3 days (or never) are delayed', () => {
    const d = statusSummary(
      {
        processes: [
          {
            name: 'p',
            status: 'GO',
            running: false,
            methods: [
              { name: 'old', executions: 1, lastRun: T - 3 * DAY_MS - 1, running: false },
              { name: 'fresh', executions: 1, lastRun: T - 3 * DAY_MS, running: false },
              { name: 'never', executions: 0, running: false },
            ],
          },
          {
            name: 'run_reports',
            status: 'GO',
            running: true,
            methods: [
              { name: 'not_yet', executions: 0, running: false },
              { name: 'stale', executions: 1, lastRun: T - 4 * DAY_MS, running: false },
            ],
          },
        ],
        prices: [
          { instrumentCode: 'A', lastPrice: T - DAY_MS, held: false },
          { instrumentCode: 'B', held: true },
        ],
        locks: [],
        pendingOrderRequests: 0,
      },
      T,
    );
    // a running process's never-run methods are about to run: not delayed
    expect(d.delayedMethods.map((m) => m.method)).toEqual(['old', 'never', 'stale']);
    expect(d.delayedPrices.map((p) => p.instrumentCode)).toEqual(['B']);
  });
});

describe('slippage (digest §8 Trade)', () => {
  const family = (trade: number, fill: number, side: number, mid: number): HistoricFamily => ({
    completedAt: T,
    instrument: { id: 1, strategyName: 'a', instrumentCode: 'GOLD', referenceDatetime: T - 100_000 },
    contracts: [{ id: 2, referencePrice: 100, limitPrice: 101.5 }],
    brokers: [
      {
        id: 3,
        parent: 2,
        contractDate: '20240300',
        trade,
        fill: trade,
        filledPrice: fill,
        fillDatetime: T - 60_000,
        submitDatetime: T - 90_000,
        limitPrice: 100.5,
        sidePrice: side,
        midPrice: mid,
      },
    ],
  });
  it('measures a buy and a sell with b = sign(trade), positive is good', () => {
    const [buy] = slippageRows([family(2, 101, 100.5, 100.25)], T - DAY_MS, T);
    expect(buy).toMatchObject({
      delay: -0.25,
      bidAsk: -0.25,
      execution: -0.5,
      totalTrading: -0.75,
      versusLimit: -0.5,
      versusParentLimit: 0.5,
      submitDelaySeconds: 10,
      fillDelaySeconds: 30,
    });
    const [sell] = slippageRows([family(-1, 99, 99.5, 99.75)], T - DAY_MS, T);
    expect(sell).toMatchObject({
      delay: -0.25,
      bidAsk: -0.25,
      execution: -0.5,
      totalTrading: -0.75,
      versusLimit: -1.5, // sold at 99 under a 100.5 limit
    });
  });
  it('leaves out orders filled outside the window or not filled, and measures without inputs as undefined', () => {
    expect(slippageRows([family(2, 101, 100.5, 100.25)], T - DAY_MS, T - 70_000)).toEqual([]);
    const unfilled = family(2, 101, 100.5, 100.25);
    unfilled.brokers[0]!.fill = 0;
    expect(slippageRows([unfilled], T - DAY_MS, T)).toEqual([]);
    const bare = family(2, 101, 100.5, 100.25);
    bare.brokers[0] = { ...bare.brokers[0]!, sidePrice: undefined, midPrice: undefined };
    const [row] = slippageRows([bare], T - DAY_MS, T);
    expect(row!.delay).toBeUndefined();
    expect(row!.execution).toBeUndefined();
    expect(row!.versusLimit).toBe(-0.5);
  });
});

describe('P&L by instrument (digest §8 P&L, pandlCalculationWithFills)', () => {
  const prices: Record<string, Array<[number, number]>> = {
    'GOLD/20240300': [
      [T - 2 * DAY_MS, 100],
      [T - 1, 110],
    ],
    'BUND/20240300': [[T - 2 * DAY_MS, 50]],
  };
  const pricing = {
    priceAt: (i: string, c: string, t: number) => prices[`${i}/${c}`]?.filter(([at]) => at <= t).at(-1)?.[1],
    pointSize: (i: string) => (i === 'GOLD' ? 10 : 1000),
    fxAt: (i: string) => (i === 'GOLD' ? 1 : 1.5),
  };
  const f = (instrumentCode: string, contractDate: string, qty: number, price: number, time: number) => ({
    instrumentCode,
    contractDate,
    qty,
    price,
    time,
  });
  it('values the position held at the start and the fills in the window, in base currency', () => {
    const r = instrumentPandl(
      [
        f('GOLD', '20240300', 3, 90, T - 3 * DAY_MS),
        { ...f('GOLD', '20240300', -1, 105, T - 100), commission: 2.5 },
        { ...f('GOLD', '20240300', 3, 90, T - 2 * DAY_MS), commission: 9 }, // before the window
        f('GOLD', '20240300', -3, 90, T - 2 * DAY_MS),
        f('BUND', '20240300', 2, 50, T - 5 * DAY_MS), // flat price: zero P&L, dropped
        f('SP500', '20240300', 1, 4000, T - 100), // no prices: not valued
        f('GOLD', '20240300', 5, 1, T + 1), // after the window end: ignored
      ],
      pricing,
      T - DAY_MS,
      T,
      10_000,
    );
    // GOLD: 3 × (110 − 100) + (−1) × (110 − 105) = 25 points × 10.
    expect(r.rows).toEqual([{ instrumentCode: 'GOLD', pandl: 250, pandlPercent: 2.5 }]);
    expect(r.futuresTotal).toBe(250);
    // commissions of the fills in the window only, apart from the (gross) futures P&L
    expect(r.commissions).toBe(2.5);
    expect(r.unpriced).toEqual([
      { instrumentCode: 'SP500', contractDate: '20240300', missing: 'price at end' },
    ]);
  });

  it('residual = capital change − (futures P&L − commissions), to the cent', () => {
    const capital = (timestamp: number, total: number) =>
      row(timestamp, {
        broker_account_value: total,
        total_capital: total,
        max_capital: 10_000,
        accumulated_pnl: total - 10_000,
      });
    const fills = [
      f('GOLD', '20240300', 3, 90, T - 3 * DAY_MS),
      { ...f('GOLD', '20240300', -1, 105, T - 100), commission: 2.37 },
    ];
    const r = pandlReport(
      [capital(T - 2 * DAY_MS, 10_000), capital(T - 60_000, 10_401.13)],
      T,
      DAY_MS,
      fills,
      pricing,
      {
        commissions: [{ time: T - 100, commission: 2.37, commissionCurrency: 'USD' }],
      },
    );
    expect(r.data.totalCapitalChange).toBeCloseTo(401.13, 9);
    expect(r.data.instruments.futuresTotal).toBe(250);
    expect(r.data.instruments.commissions).toBe(2.37);
    // 401.13 − (250 − 2.37) = 153.50
    expect(Math.round(r.data.residual! * 100)).toBe(15350);
    expect(r.text).toMatch(/residual \(total - futures \+ commissions\)\s+153\.50\n/);
  });
});
