import { describe, expect, it } from 'vitest';
import { HistoricalPacer, IB_HISTORICAL_PACING } from '../../src/broker/ib/pacing.ts';

describe('HistoricalPacer (IB historical-data pacing rules)', () => {
  it('holds a 61st request in 10 minutes, an identical request within 15 s, a 7th for one contract within 2 s', async () => {
    let t = 0;
    const pacer = new HistoricalPacer(IB_HISTORICAL_PACING, () => t);
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
