/**
 * Market monitor report (digest §8 "Others"; the reference's `market_monitor_report.py` and
 * `reporting/data/pricechanges.py`): every instrument's move over 1 business day, 7 days, 1, 3
 * and 6 months, the year to date and 12 months, from its adjusted prices (forward-filled):
 *   change        = 100 × (last / first − 1) of the prices in [start, end]   (1 = 1%)
 *   price change  = last − first
 *   vol_adjusted  = price change / (σ_start × √(calendar days from start to end))
 * where σ_start is the EWM (com 30) stdev of the business-day price differences up to the start
 * date. Tables: per period the top and bottom 6 sorted by change and by vol_adjusted, then every
 * instrument sorted by name, change and vol_adjusted. An instrument with no price in a period is
 * left out of that period.
 *
 * With custom dates (the reference's `market_monitor_report(start_date, end_date)`): one period
 * from the start to the end date (end defaults to now, start to one day before the end), its
 * top and bottom 6 by change and vol_adjusted, then every instrument by name, change and
 * vol_adjusted.
 */
import { ewmStd } from '../ewm.ts';
import { type ChartSpec, dayLabel, type Report, reportText, section, table } from './format.ts';

const DAY_MS = 86_400_000;
export const MARKET_MONITOR_PERIODS = ['1B', '7D', '1M', '3M', '6M', 'YTD', '12M'] as const;
export type MarketPeriod = (typeof MARKET_MONITOR_PERIODS)[number];
const TOP_AND_TAIL_ROWS = 6;

export interface MarketMove {
  instrumentCode: string;
  /** Percentage change (1 = 1%). */
  change: number;
  volAdjusted?: number;
}

const isWeekend = (ms: number) => {
  const d = new Date(ms).getUTCDay();
  return d === 0 || d === 6;
};

const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** The start of a period ending at `end` (UTC): N business days, days or calendar months back, or 1 January. */
export function periodStart(period: string, end: number): number {
  if (period === 'YTD') return Date.UTC(new Date(end).getUTCFullYear(), 0, 1);
  const m = /^(\d+)([BDWMY])$/.exec(period);
  if (!m) throw new RangeError(`unknown period ${period}: expected e.g. 1B, 7D, 2W, 3M, 1Y or YTD`);
  const n = Number(m[1]);
  const unit = m[2]!;
  if (unit === 'D' || unit === 'W') return end - n * (unit === 'W' ? 7 : 1) * DAY_MS;
  if (unit === 'B') {
    let t = end;
    for (let left = n; left > 0;) {
      t -= DAY_MS;
      if (!isWeekend(t)) left--;
    }
    return t;
  }
  const d = new Date(end);
  const months = unit === 'Y' ? 12 * n : n;
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return Date.UTC(
    target.getUTCFullYear(),
    target.getUTCMonth(),
    Math.min(d.getUTCDate(), lastDay),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

/** EWM (com 30) stdev of business-day price differences up to `start` (last value forward-filled per weekday). */
export function stdevAtStart(prices: Array<[number, number]>, start: number): number | undefined {
  const upTo = prices.filter(([t]) => t <= start);
  if (upTo.length === 0) return undefined;
  const byDay = new Map<number, number>();
  for (const [t, v] of upTo) byDay.set(startOfDay(t), v);
  const daily: number[] = [];
  let last: number | undefined;
  for (let day = startOfDay(upTo[0]![0]); day <= startOfDay(start); day += DAY_MS) {
    if (byDay.has(day)) last = byDay.get(day);
    if (!isWeekend(day) && last !== undefined) daily.push(last);
  }
  if (daily.length < 3) return undefined;
  const diffs = Float64Array.from(daily.slice(1), (v, i) => v - daily[i]!);
  const s = ewmStd(diffs, { com: 30 });
  const v = s[s.length - 1];
  return v === undefined || !Number.isFinite(v) ? undefined : v;
}

/** The move of one instrument's adjusted prices over [start, end]; undefined with no price in it. */
export function marketMove(
  instrumentCode: string,
  prices: Array<[number, number]>,
  start: number,
  end: number,
): MarketMove | undefined {
  const inPeriod = prices.filter(([t, v]) => t >= start && t <= end && Number.isFinite(v));
  if (inPeriod.length === 0) return undefined;
  const first = inPeriod[0]![1];
  const last = inPeriod.at(-1)![1];
  const sigma = stdevAtStart(prices, start);
  const scalar = Math.sqrt((end - start) / DAY_MS);
  return {
    instrumentCode,
    change: 100 * (last / first - 1),
    volAdjusted: sigma === undefined || sigma === 0 ? undefined : (last - first) / (sigma * scalar),
  };
}

export interface MarketMonitorData {
  end: number;
  /** True when the report was asked for custom dates (one period, `start` to `end`). */
  customDates: boolean;
  periods: Array<{ period: string; start: number; moves: MarketMove[] }>;
}

type Markets = Array<{ instrumentCode: string; prices: Array<[number, number]> }>;

const movesIn = (markets: Markets, start: number, end: number) =>
  markets
    .map((m) => marketMove(m.instrumentCode, m.prices, start, end))
    .filter((m): m is MarketMove => m !== undefined);

export function marketMoves(
  markets: Markets,
  now: number,
  periods: readonly string[] = MARKET_MONITOR_PERIODS,
): MarketMonitorData {
  return {
    end: now,
    customDates: false,
    periods: periods.map((period) => {
      const start = periodStart(period, now);
      return { period, start, moves: movesIn(markets, start, now) };
    }),
  };
}

/** Custom dates of the market monitor (epoch ms); either may be left out. */
export interface MarketMonitorDates {
  start?: number;
  end?: number;
}

export class MarketMonitorDatesError extends Error {
  override name = 'MarketMonitorDatesError';
}

/**
 * A custom date as given on the command line or in the report config: `YYYY-MM-DD` (UTC; an end
 * date counts to the end of that day) or a full ISO time (a YAML date arrives as a Date).
 */
export function parseMonitorDate(x: unknown, which: 'start' | 'end'): number {
  const text = x instanceof Date ? x.toISOString() : typeof x === 'string' ? x.trim() : undefined;
  const day = text === undefined ? null : /^(\d{4})-(\d{2})-(\d{2})(?:T00:00:00(?:\.000)?Z)?$/.exec(text);
  let t: number;
  if (day) {
    t = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
    if (dayLabel(t) !== `${day[1]}-${day[2]}-${day[3]}`) t = Number.NaN;
    else if (which === 'end') t += DAY_MS - 1;
  } else t = text !== undefined && /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(t))
    throw new MarketMonitorDatesError(
      `market monitor ${which} date must be YYYY-MM-DD or an ISO time, got ${JSON.stringify(x)}`,
    );
  return t;
}

/** The custom dates in the report config's `start_date` / `end_date`, or undefined with neither. */
export function monitorDatesFrom(args: Record<string, unknown>): MarketMonitorDates | undefined {
  const out: MarketMonitorDates = {};
  if (args.start_date !== undefined && args.start_date !== null)
    out.start = parseMonitorDate(args.start_date, 'start');
  if (args.end_date !== undefined && args.end_date !== null) out.end = parseMonitorDate(args.end_date, 'end');
  return out.start === undefined && out.end === undefined ? undefined : out;
}

/** The one period of a custom-dates report: end defaults to now, start to a day before the end. */
export function customPeriod(dates: MarketMonitorDates, now: number): { start: number; end: number } {
  const end = dates.end ?? now;
  const start = dates.start ?? end - DAY_MS;
  for (const [k, v] of [
    ['start', start],
    ['end', end],
  ] as const)
    if (!Number.isFinite(v)) throw new MarketMonitorDatesError(`market monitor ${k} date is not a date`);
  if (start >= end)
    throw new MarketMonitorDatesError(
      `market monitor start ${dayLabel(start)} must be before its end ${dayLabel(end)}`,
    );
  if (start > now)
    throw new MarketMonitorDatesError(
      `market monitor start ${dayLabel(start)} is after now ${dayLabel(now)}`,
    );
  return { start, end: Math.min(end, now) };
}

export function marketMovesForDates(
  markets: Markets,
  dates: MarketMonitorDates,
  now: number,
): MarketMonitorData {
  const { start, end } = customPeriod(dates, now);
  return {
    end,
    customDates: true,
    periods: [
      { period: `${dayLabel(start)} to ${dayLabel(end)}`, start, moves: movesIn(markets, start, end) },
    ],
  };
}

type SortBy = 'name' | 'change' | 'vol_adjusted';
const ascending: Record<SortBy, (a: MarketMove, b: MarketMove) => number> = {
  name: (a, b) => a.instrumentCode.localeCompare(b.instrumentCode),
  change: (a, b) => a.change - b.change,
  vol_adjusted: (a, b) =>
    (a.volAdjusted ?? Number.NEGATIVE_INFINITY) - (b.volAdjusted ?? Number.NEGATIVE_INFINITY),
};

/** The first and last `rows` rows (all of them when there are no more than 2 × rows). */
export function topAndTail<T>(xs: T[], rows = TOP_AND_TAIL_ROWS): T[] {
  return xs.length <= 2 * rows ? xs : [...xs.slice(0, rows), ...xs.slice(-rows)];
}

const r2 = (x?: number) => (x === undefined ? undefined : Math.round(x * 100) / 100);

function movesTable(moves: MarketMove[], sortBy: SortBy, truncate: boolean): string {
  const rows = [...moves].sort((a, b) => ascending[sortBy](a, b) || ascending.name(a, b));
  return table(
    ['name', 'change', 'vol_adjusted'],
    (truncate ? topAndTail(rows) : rows).map((m) => [m.instrumentCode, r2(m.change), r2(m.volAdjusted)]),
  );
}

export function marketMonitorReport(
  markets: Markets,
  now: number,
  dates?: MarketMonitorDates,
): Report<MarketMonitorData> {
  const custom = dates !== undefined && (dates.start !== undefined || dates.end !== undefined);
  const d = custom ? marketMovesForDates(markets, dates, now) : marketMoves(markets, now);
  const sections: string[] = [
    custom
      ? `Instruments by their percentage returns (1 = 1%) and vol adjusted returns from ${dayLabel(d.periods[0]!.start)}\n` +
        `to ${dayLabel(d.end)}: first the top and bottom 6, then every instrument.\n`
      : 'Instruments by their percentage returns (1 = 1%) and vol adjusted returns over 1 business day,\n' +
        '7 days, 1, 3 and 6 months, the year to date and 12 months. First the top and bottom 6 of each\n' +
        `period, then every instrument. Search by period/order, e.g. 1B/name, 1M/change, YTD/vol_adjusted.\n`,
  ];
  for (const p of d.periods)
    for (const sortBy of ['change', 'vol_adjusted'] as const)
      sections.push(
        section(
          `${custom ? `Market moves from ${p.period}` : `Market moves for period ${p.period} from ${dayLabel(p.start)}`}, top and bottom ${TOP_AND_TAIL_ROWS}, sort by ${sortBy}${custom ? '' : ` (${p.period}/${sortBy})`}`,
          movesTable(p.moves, sortBy, true),
        ),
      );
  for (const p of d.periods)
    for (const sortBy of ['name', 'change', 'vol_adjusted'] as const)
      sections.push(
        section(
          `${custom ? `Market moves from ${p.period}` : `Market moves for period ${p.period}`}, sort by ${sortBy}${custom ? '' : ` (${p.period}/${sortBy})`}`,
          movesTable(p.moves, sortBy, false),
        ),
      );
  const names = [...new Set(d.periods.flatMap((p) => p.moves.map((m) => m.instrumentCode)))].sort();
  const charts: ChartSpec[] = [
    {
      id: 'vol-adjusted-moves',
      title: 'Vol adjusted move per instrument and period',
      kind: 'bar',
      labels: names,
      series: d.periods.map((p) => ({
        name: p.period,
        values: names.map((n) => r2(p.moves.find((m) => m.instrumentCode === n)?.volAdjusted) ?? null),
      })),
    },
  ];
  return {
    name: 'market_monitor_report',
    generatedAt: now,
    text: reportText('Market monitor report', now, sections),
    data: d,
    charts,
  };
}
