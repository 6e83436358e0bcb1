/**
 * Trading overrides (digest §2 B3, `sysobjects/production/override.py`,
 * `sysproduction/data/controls.py`).
 *
 * An override is a float multiplier in [0, 1] (1 = none, 0 = close), reduce-only or
 * no-trading. The cumulative override multiplies the strategy, instrument and
 * strategy/instrument overrides with the config ones: no-trading beats close, close beats
 * reduce-only, reduce-only beats a float; two floats multiply.
 */
import { sign } from './rounding.ts';

export type Override = { type: 'float'; value: number } | { type: 'reduce_only' } | { type: 'no_trading' };

export const NO_OVERRIDE: Override = { type: 'float', value: 1 };
export const CLOSE_OVERRIDE: Override = { type: 'float', value: 0 };

export function overrideLabel(o: Override): string {
  if (o.type === 'float') return o.value === 0 ? 'close' : o.value === 1 ? 'none' : String(o.value);
  return o.type;
}

/** Parse the words people and configs use: a number in [0,1], close, none, reduce_only, no_trading. */
export function parseOverride(x: unknown): Override {
  if (typeof x === 'number') {
    if (!(x >= 0 && x <= 1)) throw new Error(`an override multiplier must be in [0, 1], got ${x}`);
    return { type: 'float', value: x };
  }
  switch (x) {
    case 'close':
      return CLOSE_OVERRIDE;
    case 'none':
      return NO_OVERRIDE;
    case 'reduce_only':
    case 'reduce':
      return { type: 'reduce_only' };
    case 'no_trading':
    case 'no_trade':
      return { type: 'no_trading' };
    default:
      throw new Error(
        `unknown override ${JSON.stringify(x)}: use a number in [0, 1], close, none, reduce_only or no_trading`,
      );
  }
}

function rank(o: Override): number {
  if (o.type === 'no_trading') return 3;
  if (o.type === 'float' && o.value === 0) return 2;
  if (o.type === 'reduce_only') return 1;
  return 0;
}

export function multiplyOverrides(a: Override, b: Override): Override {
  const ra = rank(a);
  const rb = rank(b);
  if (ra === 0 && rb === 0 && a.type === 'float' && b.type === 'float')
    return { type: 'float', value: a.value * b.value };
  return ra >= rb ? a : b;
}

export function cumulativeOverride(overrides: Array<Override | undefined>): Override {
  return overrides.reduce<Override>((acc, o) => (o ? multiplyOverrides(acc, o) : acc), NO_OVERRIDE);
}

/** The trade after an override, given the strategy's position P and proposed trade t. */
export function applyOverride(o: Override, position: number, trade: number): number {
  switch (o.type) {
    case 'no_trading':
      return 0;
    case 'reduce_only': {
      const next = position + trade;
      if (sign(next) !== sign(position)) return -position + 0;
      if (Math.abs(next) > Math.abs(position)) return 0;
      return trade;
    }
    case 'float':
      // floor rounds toward −∞: shorts get more negative (−2.5 → −3), as the reference
      return Math.floor((position + trade) * o.value) - position;
  }
}
