/**
 * The classic buffered rule (digest §2 B2, `classic_buffered_positions.py`).
 * A = the strategy's current position; trade only if A is outside [L, U] (unrounded edges),
 * and then to the rounded edge — not the mid (#460).
 */
import { pythonRound } from './rounding.ts';

export function bufferedTrade(current: number, lower: number, upper: number): number {
  if (!Number.isFinite(lower) || !Number.isFinite(upper))
    throw new Error('buffer edges must be finite numbers');
  if (lower > upper) throw new Error(`lower buffer ${lower} is above upper buffer ${upper}`);
  if (current < lower) return pythonRound(lower) - current;
  if (current > upper) return pythonRound(upper) - current;
  return 0;
}
