import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvFormatError, decimalAt, scanPriceCsv } from '../../src/store/csv/rows.ts';
import { parseAdjustedPricesCsv } from '../../src/store/csv/price-files.ts';

const decimalText = fc
  .tuple(
    fc.boolean(),
    fc.stringMatching(/^[0-9]{1,17}$/),
    fc.option(fc.stringMatching(/^[0-9]{0,17}$/), { nil: undefined }),
  )
  .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac === undefined ? '' : `.${frac}`}`);

describe('price CSV cells read in place', () => {
  it('property: a plain decimal reads as the very double Number() gives', () => {
    fc.assert(
      fc.property(decimalText, (text) => {
        const padded = `x,${text},y`;
        const fast = decimalAt(padded, 2, 2 + text.length);
        // the fast path may decline (too many digits); when it answers it is exact
        if (fast !== undefined) expect(Object.is(fast, Number(text))).toBe(true);
      }),
      { numRuns: 5000 },
    );
    expect(decimalAt('0.7809999999999999', 0, 18)).toBe(0.7809999999999999);
    expect(decimalAt('123456789012345678', 0, 18)).toBeUndefined(); // above 2^53: Number() reads it
    expect(decimalAt('1e5', 0, 3)).toBeUndefined();
  });

  it('property: any finite double written by JS reads back exactly', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        const csv = `DATETIME,price\n2023-08-31 23:00:00,${String(v)}\n`;
        expect(
          Object.is(parseAdjustedPricesCsv(csv, 'p.csv').values[0], Number(String(v))), // String(-0) is '0'
        ).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['1.2.3', 'price is not a number'],
    [' 1.5', 'price is not a number'],
    ['1.5 ', 'price is not a number'],
    ['-', 'price is not a number'],
    ['.', 'price is not a number'],
    ['Infinity', 'price is not a number'],
    ['0x10', 'price is not a number'],
  ])('%j is refused with file:line and column', (cell, reason) => {
    const csv = `DATETIME,price\n2023-08-30 23:00:00,1\n2023-08-31 23:00:00,${cell}\n`;
    const err = (() => {
      try {
        parseAdjustedPricesCsv(csv, 'adjusted_prices_csv/X.csv');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(CsvFormatError);
    expect((err as Error).name).toBe('CsvFormatError');
    expect((err as Error).message).toBe(`adjusted_prices_csv/X.csv:3: ${reason}: '${cell}'`);
  });

  it('an empty cell is a missing value, exponents go through Number()', () => {
    const csv = 'DATETIME,price\r\n2023-08-30 23:00:00,\r\n2023-08-31 23:00:00,1.5e2';
    const s = parseAdjustedPricesCsv(csv, 'p.csv');
    expect(Number.isNaN(s.values[0])).toBe(true);
    expect(s.values[1]).toBe(150);
  });

  it('a row with too many cells names its count', () => {
    expect(() => scanPriceCsv('A,B\n1,2,3\n', 'f.csv', ['A', 'B'], () => undefined)).toThrow(
      'f.csv:2: expected 2 fields, got 3',
    );
  });
});
