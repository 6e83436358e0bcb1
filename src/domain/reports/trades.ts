/**
 * Trade report (digest §8 "Trade", window 1 day), from the fills the stack recorded: every fill in
 * the window, and group sums per (strategy, instrument) and per strategy (quantity, count, the
 * quantity-weighted average price per (strategy, instrument)), and the slippage and delays of
 * the broker orders of completed families (`slippage.ts`).
 */
import { DAY_MS } from './pandl.ts';
import {
  type HistoricFamily,
  MEASURES,
  type Measures,
  NO_SCALES,
  type SlippageRow,
  type SlippageScales,
  slippageRows,
} from './slippage.ts';
import { type ChartSpec, histogram, isoMinute, type Report, reportText, section, table } from './format.ts';

export interface TradeFill {
  execId: string;
  kind: string;
  strategyName?: string;
  instrumentCode: string;
  contractDate?: string;
  qty: number;
  price: number;
  time: number;
  orderRef?: string;
  commission?: number;
  commissionCurrency?: string;
}

export interface TradeGroup {
  strategyName: string;
  instrumentCode: string;
  fills: number;
  netQty: number;
  grossQty: number;
  averagePrice: number;
}

export interface TradeData {
  windowStart: number;
  windowEnd: number;
  fills: TradeFill[];
  byStrategyInstrument: TradeGroup[];
  byStrategy: Array<{ strategyName: string; fills: number; netQty: number; grossQty: number }>;
  slippage: SlippageRow[];
}

const NO_STRATEGY = '(none)';

export function tradeSummary(
  all: TradeFill[],
  end: number,
  windowMs = DAY_MS,
  families: HistoricFamily[] = [],
  scales: SlippageScales = NO_SCALES,
): TradeData {
  const start = end - windowMs;
  const fills = all.filter((f) => f.time > start && f.time <= end).sort((a, b) => a.time - b.time);
  const groups = new Map<string, TradeGroup & { notional: number }>();
  for (const f of fills) {
    const s = f.strategyName ?? NO_STRATEGY;
    const k = `${s}/${f.instrumentCode}`;
    const g = groups.get(k) ?? {
      strategyName: s,
      instrumentCode: f.instrumentCode,
      fills: 0,
      netQty: 0,
      grossQty: 0,
      averagePrice: 0,
      notional: 0,
    };
    g.fills++;
    g.netQty += f.qty;
    g.grossQty += Math.abs(f.qty);
    g.notional += Math.abs(f.qty) * f.price;
    groups.set(k, g);
  }
  const byStrategyInstrument = [...groups.values()]
    .map(({ notional, ...g }) => ({ ...g, averagePrice: g.grossQty > 0 ? notional / g.grossQty : 0 }))
    .sort(
      (a, b) =>
        a.strategyName.localeCompare(b.strategyName) || a.instrumentCode.localeCompare(b.instrumentCode),
    );
  const byStrategy = new Map<
    string,
    { strategyName: string; fills: number; netQty: number; grossQty: number }
  >();
  for (const g of byStrategyInstrument) {
    const s = byStrategy.get(g.strategyName) ?? {
      strategyName: g.strategyName,
      fills: 0,
      netQty: 0,
      grossQty: 0,
    };
    s.fills += g.fills;
    s.netQty += g.netQty;
    s.grossQty += g.grossQty;
    byStrategy.set(g.strategyName, s);
  }
  return {
    windowStart: start,
    windowEnd: end,
    fills,
    byStrategyInstrument,
    byStrategy: [...byStrategy.values()],
    slippage: slippageRows(families, start, end, scales),
  };
}

export function tradeReport(
  all: TradeFill[],
  now: number,
  windowMs = DAY_MS,
  families: HistoricFamily[] = [],
  scales: SlippageScales = NO_SCALES,
): Report<TradeData> {
  const d = tradeSummary(all, now, windowMs, families, scales);
  const scaledTable = (unit: string, pick: (r: SlippageRow) => Measures | undefined) =>
    section(
      `Slippage in ${unit}, positive is good`,
      table(
        [
          'strategy',
          'instrument',
          'order',
          'fill',
          'delay',
          'bid_ask',
          'execution',
          'total_trading',
          'vs_limit',
          'vs_parent_limit',
        ],
        d.slippage.map((r) => [
          r.strategyName,
          r.instrumentCode,
          r.brokerOrderId,
          r.fill,
          ...MEASURES.map((m) => pick(r)?.[m]),
        ]),
      ),
    );
  const text = reportText('Trade report', now, [
    `Window: ${isoMinute(d.windowStart)} to ${isoMinute(d.windowEnd)} UTC: ${d.fills.length} fill(s)\n`,
    section(
      'Fills',
      table(
        ['time', 'strategy', 'instrument', 'contract', 'qty', 'price', 'kind', 'order'],
        d.fills.map((f) => [
          isoMinute(f.time),
          f.strategyName ?? NO_STRATEGY,
          f.instrumentCode,
          f.contractDate ?? '',
          f.qty,
          f.price,
          f.kind,
          f.orderRef ?? '',
        ]),
      ),
    ),
    section(
      'By strategy and instrument',
      table(
        ['strategy', 'instrument', 'fills', 'net_qty', 'gross_qty', 'avg_price'],
        d.byStrategyInstrument.map((g) => [
          g.strategyName,
          g.instrumentCode,
          g.fills,
          g.netQty,
          g.grossQty,
          g.averagePrice,
        ]),
      ),
    ),
    section(
      'By strategy',
      table(
        ['strategy', 'fills', 'net_qty', 'gross_qty'],
        d.byStrategy.map((s) => [s.strategyName, s.fills, s.netQty, s.grossQty]),
      ),
    ),
    section(
      'Slippage, price units, positive is good (broker orders of completed orders)',
      table(
        [
          'strategy',
          'instrument',
          'contract',
          'order',
          'fill',
          'price',
          'delay',
          'bid_ask',
          'execution',
          'total_trading',
          'vs_limit',
          'vs_parent_limit',
          'submit_s',
          'fill_s',
        ],
        d.slippage.map((r) => [
          r.strategyName,
          r.instrumentCode,
          r.contractDate,
          r.brokerOrderId,
          r.fill,
          r.filledPrice,
          r.delay,
          r.bidAsk,
          r.execution,
          r.totalTrading,
          r.versusLimit,
          r.versusParentLimit,
          r.submitDelaySeconds,
          r.fillDelaySeconds,
        ]),
      ),
    ),
    scaledTable('ticks', (r) => r.ticks),
    scaledTable('cash (base currency, whole order)', (r) => r.cash),
    scaledTable('basis points of annual vol', (r) => r.volNormalised),
    section(
      'Slippage sums per strategy (cash, base currency)',
      table(
        ['strategy', 'orders', 'total_trading_cash', 'delay_cash'],
        [...new Set(d.slippage.map((r) => r.strategyName))].sort().map((s) => {
          const rows = d.slippage.filter((r) => r.strategyName === s);
          const sum = (m: 'totalTrading' | 'delay') => rows.reduce((t, r) => t + (r.cash?.[m] ?? 0), 0);
          return [s, rows.length, sum('totalTrading'), sum('delay')];
        }),
      ),
    ),
  ]);
  const ticks = d.slippage.map((r) => r.ticks?.totalTrading).filter((x): x is number => x !== undefined);
  const price = d.slippage.map((r) => r.totalTrading).filter((x): x is number => x !== undefined);
  const h = histogram(ticks.length > 0 ? ticks : price);
  const charts: ChartSpec[] = [
    {
      id: 'slippage-distribution',
      title: `Total trading slippage per broker order (${ticks.length > 0 ? 'ticks' : 'price units'}), count`,
      kind: 'bar',
      labels: h.labels,
      series: [{ name: 'orders', values: h.counts }],
    },
  ];
  return { name: 'trade_report', generatedAt: now, text, data: d, charts };
}
