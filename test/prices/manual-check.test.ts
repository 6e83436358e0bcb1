import { describe, expect, it } from 'vitest';
import { manualCheckQuarantine } from '../../actors/price-updates.ts';
import {
  applyDecision,
  type CheckRow,
  checkedNewRows,
  nextSpike,
  parseDecisionInput,
  runManualCheck,
  startManualCheck,
} from '../../src/domain/prices/manual-check.ts';
import { MemoryPriceStore } from '../../src/store/memory/price-store.ts';

const DAY = 86_400_000;

/** 100 stored daily rows moving ±1, FINAL around 1000. */
function history(): CheckRow[] {
  return Array.from({ length: 100 }, (_, i) => {
    const final = 1000 + (i % 2);
    return { time: i * DAY, final, open: final - 1, high: final + 2, low: final - 2, volume: 7 };
  });
}
const newRow = (k: number, final: number): CheckRow => ({
  time: (100 + k) * DAY,
  final,
  open: final - 1,
  high: final + 2,
  low: final - 2,
  volume: 9,
});

describe('manual check decisions (pure)', () => {
  it('finds the spike and accepting it ends the check with the value kept', () => {
    const s0 = startManualCheck(history(), [newRow(0, 1000), newRow(1, 1100), newRow(2, 1101)], 8);
    const spike = nextSpike(s0);
    expect(spike).toMatchObject({ index: 101, value: 1100, previous: 1000 });
    const s1 = applyDecision(s0, 101, { kind: 'accept' });
    expect(nextSpike(s1)).toBeUndefined();
    expect(checkedNewRows(s1).map((r) => r.final)).toEqual([1000, 1100, 1101]);
  });

  it('"previous" copies the previous FINAL and moves OPEN/HIGH/LOW by the same delta, volume unchanged', () => {
    const s0 = startManualCheck(history(), [newRow(0, 1000), newRow(1, 1100)], 8);
    const s1 = applyDecision(s0, 101, { kind: 'previous' });
    expect(checkedNewRows(s1)[1]).toEqual({
      time: 101 * DAY,
      final: 1000,
      open: 999,
      high: 1002,
      low: 998,
      volume: 9,
    });
    expect(nextSpike(s1)).toBeUndefined();
  });

  it('a typed value is spike-checked again: a fat finger is asked about, a good value passes', () => {
    const s0 = startManualCheck(history(), [newRow(0, 1000), newRow(1, 1100)], 8);
    const s1 = applyDecision(s0, 101, { kind: 'value', value: 10_000 });
    expect(nextSpike(s1)).toMatchObject({ index: 101, value: 10_000 });
    const s2 = applyDecision(s1, 101, { kind: 'value', value: 1001 });
    expect(nextSpike(s2)).toBeUndefined();
    expect(checkedNewRows(s2)[1]).toMatchObject({ final: 1001, open: 1000, high: 1003, low: 999, volume: 9 });
  });

  it('decides later spikes against the corrected data; stored rows cannot be changed', () => {
    // 1100 then back to 1000: both moves are spikes; using the previous value for the first removes the second
    const s0 = startManualCheck(history(), [newRow(0, 1100), newRow(1, 1000)], 8);
    const asked: number[] = [];
    const done = runManualCheck(s0, (s) => {
      asked.push(s.index);
      return { kind: 'previous' };
    });
    expect(asked).toEqual([100]);
    expect(checkedNewRows(done).map((r) => r.final)).toEqual([1001, 1000]);
    expect(() => applyDecision(s0, 5, { kind: 'accept' })).toThrow('not a new row');
    expect(() => applyDecision(s0, 100, { kind: 'value', value: Number.NaN })).toThrow('must be a number');
  });

  it('accept-all keeps every value; FX rows (no OHLC) work the same', () => {
    const fx = history().map((r) => ({ time: r.time, final: r.final / 1000 }));
    const s0 = startManualCheck(
      fx,
      [
        { time: 100 * DAY, final: 2 },
        { time: 101 * DAY, final: 1 },
      ],
      8,
    );
    const done = runManualCheck(s0, () => ({ kind: 'accept' }));
    expect(checkedNewRows(done)).toEqual([
      { time: 100 * DAY, final: 2 },
      { time: 101 * DAY, final: 1 },
    ]);
  });
});

describe('manual check on the store', () => {
  it('writes the checked rows after the stored ones and clears the quarantine', async () => {
    const store = new MemoryPriceStore();
    const h = history();
    const col = (f: (r: CheckRow) => number | undefined): Float64Array =>
      Float64Array.from(h, (r) => f(r) ?? 0);
    await store.putContractPrices('GOLD', '20231200', 'D', {
      times: col((r) => r.time),
      open: col((r) => r.open),
      high: col((r) => r.high),
      low: col((r) => r.low),
      final: col((r) => r.final),
      volume: col((r) => r.volume),
    });
    const target = {
      kind: 'futures',
      instrumentCode: 'GOLD',
      contractDate: '20231200',
      frequency: 'D',
    } as const;
    await store.putQuarantine({
      target,
      rows: [h[99] as CheckRow, newRow(0, 1000), newRow(1, 1100)], // an already stored row is ignored
      spikeTime: 101 * DAY,
      spikeRatio: 50,
      maxSpike: 8,
      detectedAt: 0,
    });
    const rec = await store.getQuarantine(target);
    const out = await manualCheckQuarantine(store, rec!, async () => ({ kind: 'value', value: 1002 }));
    expect(out).toMatchObject({ decisions: 1, rowsWritten: 2 });
    const p = await store.getContractPrices('GOLD', '20231200', 'D');
    expect(Array.from(p?.final ?? []).slice(-3)).toEqual([1001, 1000, 1002]);
    expect(Array.from(p?.open ?? []).slice(-1)).toEqual([1001]);
    expect(await store.getQuarantine(target)).toBeUndefined();
  });
});

describe('reading a typed answer', () => {
  it.each([
    ['a', { kind: 'accept' }],
    [' Accept ', { kind: 'accept' }],
    ['p', { kind: 'previous' }],
    ['previous', { kind: 'previous' }],
    ['1234.5', { kind: 'value', value: 1234.5 }],
    ['-0.25', { kind: 'value', value: -0.25 }],
    ['1e3', { kind: 'value', value: 1000 }],
    ['', undefined],
    ['12abc', undefined],
    ['x', undefined],
    ['Infinity', undefined],
  ])('%j → %j', (text, decision) => {
    expect(parseDecisionInput(text)).toEqual(decision);
  });
});
