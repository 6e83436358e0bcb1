/** Python's `round()`: round half to even (digest "Python quirks": 2.5 → 2). */
export function pythonRound(x: number): number {
  if (!Number.isFinite(x)) throw new Error(`cannot round ${x}`);
  const f = Math.floor(x);
  const d = x - f;
  // `+ 0` turns −0 into 0: trades and positions are plain integers
  if (d > 0.5) return f + 1 + 0;
  if (d < 0.5) return f + 0;
  return (f % 2 === 0 ? f : f + 1) + 0;
}

/** numpy `sign`: −1, 0 or 1. */
export function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}
