import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closingTimeOfDay, formatNaiveTimestamp, parseNaiveTimestamp } from '../../src/domain/prices/time.ts';

describe('naive pysystemtrade timestamps', () => {
  it.each([
    ['2023-08-31 23:00:00', Date.UTC(2023, 7, 31, 23)],
    ['2023-07-25 20:00:01', Date.UTC(2023, 6, 25, 20, 0, 1)],
    ['1975-04-01', Date.UTC(1975, 3, 1)],
    ['2024-02-29 00:00:00', Date.UTC(2024, 1, 29)],
  ])('%s parses as UTC', (text, ms) => {
    expect(parseNaiveTimestamp(text)).toBe(ms);
  });

  it.each([
    '2023-02-30 10:00:00',
    '2023-02-29',
    '2023-13-01 00:00:00',
    '2023-08-31 24:00:00',
    '2023-08-31 23:60:00',
    '2023-08-31 23:00',
    '2023-08-31x23:00:00',
    '31/08/2023',
    '',
  ])('%j is rejected', (text) => {
    // the same valid date just before must not make a bad stamp pass
    parseNaiveTimestamp('2023-08-31 22:00:00');
    expect(parseNaiveTimestamp(text)).toBeUndefined();
  });

  it('property: format then parse round-trips any second', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2_000_000_000, max: 4_000_000_000 }), (s) => {
        const ms = s * 1000;
        expect(parseNaiveTimestamp(formatNaiveTimestamp(ms))).toBe(ms);
      }),
      { numRuns: 1000 },
    );
  });

  it('the notional closing time is 23:00 of the same UTC day', () => {
    expect(closingTimeOfDay(Date.UTC(2023, 6, 29, 0, 0))).toBe(Date.UTC(2023, 6, 29, 23));
    expect(closingTimeOfDay(Date.UTC(2023, 6, 29, 23, 59))).toBe(Date.UTC(2023, 6, 29, 23));
  });
});
