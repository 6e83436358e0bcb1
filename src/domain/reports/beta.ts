/**
 * Beta loadings of the risk report (digest §8 "Risk"; the reference's `reporting/data/risk.py`
 * `portfolioRisks`): over the last year of daily percentage returns of the held instruments,
 *   asset class index  = mean over its instruments of (return / the instrument's stdev), × the
 *                        mean of those stdevs (an equal-vol index at the class's average vol)
 *   beta               = OLS slope (with intercept) of an instrument's returns on an index, on
 *                        the days both have
 *   loading            = beta × w, w = position × contract exposure / total capital
 * "By asset class": Σ of the loadings of a class's instruments on their own class's index.
 * "Full portfolio": for each class's index, Σ of every held instrument's loading on it.
 */
const YEAR_DAYS = 365;

export interface BetaInput {
  instrumentCode: string;
  assetClass: string;
  /** Daily adjusted prices (time, value), oldest first. */
  prices: Array<[number, number]>;
  /** Exposure weight (position × exposure / capital). */
  weight: number;
}

export interface BetaData {
  /** Per instrument: its beta on its own asset class's index. */
  instruments: Array<{ instrumentCode: string; assetClass: string; beta?: number; loading?: number }>;
  byAssetClass: Array<{ assetClass: string; loading: number }>;
  portfolio: Array<{ assetClass: string; loading: number }>;
}

const dayOf = (t: number) => Math.floor(t / 86_400_000);

/** Percentage returns by day number over the year to `now`. */
function lastYearReturns(prices: Array<[number, number]>, now: number): Map<number, number> {
  const from = dayOf(now) - YEAR_DAYS;
  const out = new Map<number, number>();
  for (let i = 1; i < prices.length; i++) {
    const day = dayOf(prices[i]![0]);
    const prev = prices[i - 1]![1];
    if (day >= from && prev !== 0) out.set(day, prices[i]![1] / prev - 1);
  }
  return out;
}

function stdev(xs: number[]): number | undefined {
  if (xs.length < 2) return undefined;
  const m = xs.reduce((s, x) => s + x, 0) / xs.length;
  const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
  return v > 0 ? Math.sqrt(v) : undefined;
}

/** The equal-vol index of a set of instruments' returns. */
export function equalVolIndex(returns: Array<Map<number, number>>): Map<number, number> {
  const scaled: Array<{ r: Map<number, number>; s: number }> = [];
  for (const r of returns) {
    const s = stdev([...r.values()]);
    if (s !== undefined) scaled.push({ r, s });
  }
  const out = new Map<number, number>();
  if (scaled.length === 0) return out;
  const avgStd = scaled.reduce((t, x) => t + x.s, 0) / scaled.length;
  const days = [...new Set(scaled.flatMap((x) => [...x.r.keys()]))].sort((a, b) => a - b);
  for (const d of days) {
    const vals = scaled.filter((x) => x.r.has(d)).map((x) => x.r.get(d)! / x.s);
    out.set(d, (vals.reduce((t, v) => t + v, 0) / vals.length) * avgStd);
  }
  return out;
}

/** OLS slope of y on x (with an intercept) over their common days; undefined under 3 days. */
export function olsBeta(y: Map<number, number>, x: Map<number, number>): number | undefined {
  const days = [...y.keys()].filter((d) => x.has(d));
  if (days.length < 3) return undefined;
  const xs = days.map((d) => x.get(d)!);
  const ys = days.map((d) => y.get(d)!);
  const mx = xs.reduce((s, v) => s + v, 0) / xs.length;
  const my = ys.reduce((s, v) => s + v, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : undefined;
}

export function betaLoadings(inputs: BetaInput[], now: number): BetaData {
  const returns = new Map(inputs.map((i) => [i.instrumentCode, lastYearReturns(i.prices, now)]));
  const classes = [...new Set(inputs.map((i) => i.assetClass))].sort();
  const index = new Map(
    classes.map((c) => [
      c,
      equalVolIndex(inputs.filter((i) => i.assetClass === c).map((i) => returns.get(i.instrumentCode)!)),
    ]),
  );
  const beta = (code: string, cls: string) => olsBeta(returns.get(code)!, index.get(cls)!);
  const instruments = inputs.map((i) => {
    const b = beta(i.instrumentCode, i.assetClass);
    return {
      instrumentCode: i.instrumentCode,
      assetClass: i.assetClass,
      beta: b,
      loading: b === undefined ? undefined : b * i.weight,
    };
  });
  const sum = (xs: Array<number | undefined>) => xs.reduce<number>((s, x) => s + (x ?? 0), 0);
  return {
    instruments,
    byAssetClass: classes.map((c) => ({
      assetClass: c,
      loading: sum(instruments.filter((i) => i.assetClass === c).map((i) => i.loading)),
    })),
    portfolio: classes.map((c) => ({
      assetClass: c,
      loading: sum(
        inputs.map((i) => {
          const b = beta(i.instrumentCode, c);
          return b === undefined ? undefined : b * i.weight;
        }),
      ),
    })),
  };
}
