/**
 * pandas `Series.ewm(span=N).mean()` with its defaults: adjust=True, ignore_na=False,
 * min_periods=0 (so output from the first observation). Reproduces pandas' recursion: on an
 * observation, weighted = (old_wt·weighted + x)/(old_wt + 1) with old_wt decayed by (1−α) per
 * row, NaN rows decay the weight too (ignore_na=False) and repeat the last mean.
 */
export function ewmMeanSpan(values: Float64Array, span: number): Float64Array {
  const alpha = 2 / (span + 1);
  const oldWtFactor = 1 - alpha;
  const n = values.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  let weighted = values[0] as number;
  let nobs = Number.isNaN(weighted) ? 0 : 1;
  out[0] = nobs >= 1 ? weighted : Number.NaN;
  let oldWt = 1;
  for (let i = 1; i < n; i++) {
    const cur = values[i] as number;
    const isObs = !Number.isNaN(cur);
    if (isObs) nobs++;
    if (!Number.isNaN(weighted)) {
      oldWt *= oldWtFactor;
      if (isObs) {
        if (weighted !== cur) weighted = (oldWt * weighted + cur) / (oldWt + 1);
        oldWt += 1;
      }
    } else if (isObs) {
      weighted = cur;
    }
    out[i] = nobs >= 1 ? weighted : Number.NaN;
  }
  return out;
}
