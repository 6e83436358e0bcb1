/**
 * Exponentially weighted moments, reproducing pandas `Series.ewm(...)` bit for bit
 * (adjust=True by default, ignore_na=False: at a NaN row the old weights still decay).
 * Digest "Python quirks": `ewm(x)` with one positional argument is com = x, not span.
 * Shared by the classic system (digest §7: vol, EWMAC, carry, weight smoothing) and the price
 * spike check (digest §6.2: EWMA span 500 of absolute moves).
 */
type Series = Float64Array;
const nanSeries = (n: number): Series => new Float64Array(n).fill(Number.NaN);

export type EwmSpec = { span: number } | { com: number };

/** pandas works through the centre of mass: alpha = 1 / (1 + com), com = (span − 1) / 2. */
export function comOf(spec: EwmSpec): number {
  const com = 'span' in spec ? (spec.span - 1) / 2 : spec.com;
  if (!(com >= 0)) throw new Error(`ewm: com must be >= 0, got ${com}`);
  return com;
}

export interface EwmOptions {
  minPeriods?: number;
  adjust?: boolean;
}

/** pandas' weights: each step decays the old weight by 1 − alpha and adds `newWt`. */
function ewmWeights(
  spec: EwmSpec,
  opts: EwmOptions,
): { oldWtFactor: number; adjust: boolean; newWt: number; minp: number } {
  const alpha = 1 / (1 + comOf(spec));
  const adjust = opts.adjust ?? true;
  return {
    oldWtFactor: 1 - alpha,
    adjust,
    newWt: adjust ? 1 : alpha,
    minp: Math.max(opts.minPeriods ?? 0, 1),
  };
}

/** pandas `ewm(...).mean()`. */
export function ewmMean(x: Series, spec: EwmSpec, opts: EwmOptions = {}): Series {
  const n = x.length;
  const out = nanSeries(n);
  if (n === 0) return out;
  const { oldWtFactor, adjust, newWt, minp } = ewmWeights(spec, opts);
  let avg = x[0]!;
  let nobs = Number.isNaN(avg) ? 0 : 1;
  let oldWt = 1;
  if (nobs >= minp) out[0] = avg;
  for (let i = 1; i < n; i++) {
    const cur = x[i]!;
    const isObs = !Number.isNaN(cur);
    if (isObs) nobs++;
    if (!Number.isNaN(avg)) {
      oldWt *= oldWtFactor;
      if (isObs) {
        if (avg !== cur) avg = (oldWt * avg + newWt * cur) / (oldWt + newWt);
        if (adjust) oldWt += newWt;
        else oldWt = 1;
      }
    } else if (isObs) {
      avg = cur;
    }
    if (nobs >= minp) out[i] = avg;
  }
  return out;
}

/** pandas `ewm(...).var(bias=False)` (ewmcov of x with itself). */
export function ewmVar(x: Series, spec: EwmSpec, opts: EwmOptions = {}): Series {
  const n = x.length;
  const out = nanSeries(n);
  if (n === 0) return out;
  const { oldWtFactor, adjust, newWt, minp } = ewmWeights(spec, opts);
  let mean = x[0]!;
  let nobs = Number.isNaN(mean) ? 0 : 1;
  let cov = 0;
  let sumWt = 1;
  let sumWt2 = 1;
  let oldWt = 1;
  // output[0] is NaN when unbiased
  for (let i = 1; i < n; i++) {
    const cur = x[i]!;
    const isObs = !Number.isNaN(cur);
    if (isObs) nobs++;
    if (!Number.isNaN(mean)) {
      sumWt *= oldWtFactor;
      sumWt2 *= oldWtFactor * oldWtFactor;
      oldWt *= oldWtFactor;
      if (isObs) {
        const oldMean = mean;
        if (mean !== cur) mean = (oldWt * oldMean + newWt * cur) / (oldWt + newWt);
        cov =
          (oldWt * (cov + (oldMean - mean) * (oldMean - mean)) + newWt * ((cur - mean) * (cur - mean))) /
          (oldWt + newWt);
        sumWt += newWt;
        sumWt2 += newWt * newWt;
        oldWt += newWt;
        if (!adjust) {
          sumWt /= oldWt;
          sumWt2 /= oldWt * oldWt;
          oldWt = 1;
        }
      }
    } else if (isObs) {
      mean = cur;
    }
    if (nobs >= minp) {
      const numerator = sumWt * sumWt;
      const denominator = numerator - sumWt2;
      out[i] = denominator > 0 ? (numerator / denominator) * cov : Number.NaN;
    }
  }
  return out;
}

/** pandas `ewm(...).std()`: sqrt of the unbiased variance, negatives clipped to 0. */
export function ewmStd(x: Series, spec: EwmSpec, opts: EwmOptions = {}): Series {
  const v = ewmVar(x, spec, opts);
  for (let i = 0; i < v.length; i++) {
    const y = v[i]!;
    if (!Number.isNaN(y)) v[i] = y >= 0 ? Math.sqrt(y) : 0;
  }
  return v;
}
