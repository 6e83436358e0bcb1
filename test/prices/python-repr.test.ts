import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvFloat, pythonRepr } from '../../src/domain/prices/python-repr.ts';

describe('pythonRepr (data doc §2 float rules)', () => {
  it.each([
    [142, '142.0'],
    [2497.5000000000027, '2497.5000000000027'],
    [3.3e-5, '3.3e-05'],
    [5.9999999999999995e-5, '5.9999999999999995e-05'],
    [0.0001, '0.0001'],
    [0.00012, '0.00012'],
    [1e16, '1e+16'],
    [1234567890123456, '1234567890123456.0'],
    [1.2345678901234568e17, '1.2345678901234568e+17'],
    [1e22, '1e+22'],
    [1.5e-10, '1.5e-10'],
    [-0.5, '-0.5'],
    [-3.3e-5, '-3.3e-05'],
    [0, '0.0'],
    [-0, '-0.0'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1323.4999999999993, '1323.4999999999993'],
    [Number.NaN, 'nan'],
    [Number.POSITIVE_INFINITY, 'inf'],
  ])('%s → %s', (x, text) => {
    expect(pythonRepr(x)).toBe(text);
  });

  it('writes NaN as an empty CSV field', () => {
    expect(csvFloat(Number.NaN)).toBe('');
    expect(csvFloat(1)).toBe('1.0');
  });

  it('property: round-trips every finite double', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(Object.is(Number(pythonRepr(x)), x)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
