import { describe, expect, it } from 'vitest';
import { HistoricalPacer, IB_HISTORICAL_PACING } from '../../src/broker/ib/pacing.ts';
import { ibHarness, NOW } from './ib-harness.ts';

describe('HistoricalPacer (IB historical-data pacing rules)', () => {
  it('holds a 61st request in 10 minutes, an identical request within 15 s, a 7th for one contract within 2 s', async () => {
    let t = 0;
    const pacer = new HistoricalPacer({ ...IB_HISTORICAL_PACING, marginMs: 0 }, () => t);
    for (let i = 0; i < 6; i++) await pacer.schedule(`k${i}`, 'ES', async () => i);
    expect(pacer.delayFor('k6', 'ES')).toBe(2_000);
    expect(pacer.delayFor('k0', 'ZN')).toBe(15_000);
    t = 2_000;
    for (let i = 6; i < 60; i++) await pacer.schedule(`k${i}`, `C${i}`, async () => i);
    expect(pacer.delayFor('new', 'NEW')).toBe(598_000);
    t = 600_000;
    expect(pacer.delayFor('new', 'NEW')).toBe(0);
  });
});

/** IB's pacing rules scaled down for a test (the queue keeps its 250 ms margin). */
const rules = {
  maxRequests: 8,
  windowMs: 600,
  identicalGapMs: 15,
  sameContractMax: 3,
  sameContractWindowMs: 20,
};

describe('historical requests over the fake TWS with pacing enforced', () => {
  it('a burst of requests over several contracts draws no pacing violation (rules scaled down; the queue keeps a 250 ms margin)', async () => {
    const h = await ibHarness({ enforcePacing: rules }, { pacing: rules, pacingRetries: 0 });
    try {
      const asks: Array<Promise<unknown>> = [];
      for (let i = 0; i < 6; i++)
        for (const instrumentCode of ['SP500', 'CORN'])
          asks.push(
            h.broker.historicalPrices(
              { instrumentCode, contractDate: '202612' },
              i % 2 ? 'H' : 'D',
              NOW - i * 86_400_000,
            ),
          );
      await Promise.all(asks);
      expect(h.tws.historicalRequests).toBe(12);
      expect(h.tws.pacingViolationsSent).toBe(0);
    } finally {
      await h.close();
    }
  }, 30_000);

  it('the same burst without the queue is refused by the fake (the rules bite)', async () => {
    const off = {
      maxRequests: 1e9,
      windowMs: 1,
      identicalGapMs: 0,
      sameContractMax: 1e9,
      sameContractWindowMs: 1,
      marginMs: 0,
    };
    const h = await ibHarness({ enforcePacing: rules }, { pacing: off, pacingRetries: 0 });
    try {
      const asks = [];
      for (let i = 0; i < 12; i++)
        asks.push(
          h.broker
            .historicalPrices({ instrumentCode: 'SP500', contractDate: '202612' }, 'D', NOW - i * 86_400_000)
            .catch((e: Error) => e.name),
        );
      expect((await Promise.all(asks)).filter((r) => r === 'IbPacingViolation').length).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  }, 30_000);
});
