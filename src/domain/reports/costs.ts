/**
 * Costs and slippage reports (digest §8 "Others": SR costs from configured spreads and sampled
 * slippage; configured vs estimated slippage). Per instrument and one contract:
 *   commission       = max(perBlock, percentage × contract value, perTrade) (instrument currency)
 *   cost per trade   = slippage × point size + commission
 *   SR cost          = cost per trade / (annual price stdev × point size)
 * "configured" uses the spread cost of the instrument config; "actual" uses the mean of
 * −total_trading slippage (price units, positive = a cost) of the broker orders filled in the
 * window (default 250 days) and the mean commission per contract the fills carry, falling back
 * to the configured commission when no fill has one.
 */
import { type ChartSpec, type Report, reportText, section, table } from './format.ts';
import { type InstrumentMarket, riskFigures } from './market.ts';
import type { SlippageRow } from './slippage.ts';

export interface CostFill {
  instrumentCode: string;
  qty: number;
  commission?: number;
  commissionCurrency?: string;
}

export interface CostRow {
  instrumentCode: string;
  configuredSlippage?: number;
  actualSlippage?: number;
  slippageOrders: number;
  configuredCommission?: number;
  actualCommission?: number;
  commissionCurrency?: string;
  annualPriceStdev?: number;
  srCostConfigured?: number;
  srCostActual?: number;
}

export function commissionPerContract(m: InstrumentMarket): number | undefined {
  if (m.perBlock === undefined && m.percentage === undefined && m.perTrade === undefined) return undefined;
  const value = m.price !== undefined && m.pointSize !== undefined ? m.price * m.pointSize : 0;
  return Math.max(m.perBlock ?? 0, (m.percentage ?? 0) * value, m.perTrade ?? 0);
}

export function costRows(markets: InstrumentMarket[], slippage: SlippageRow[], fills: CostFill[]): CostRow[] {
  return markets
    .map((m) => {
      const code = m.instrumentCode;
      const slips = slippage.filter((r) => r.instrumentCode === code && r.totalTrading !== undefined);
      const contracts = slips.reduce((s, r) => s + Math.abs(r.fill), 0);
      const actualSlippage =
        contracts > 0
          ? slips.reduce((s, r) => s - r.totalTrading! * Math.abs(r.fill), 0) / contracts
          : undefined;
      const paid = fills.filter((f) => f.instrumentCode === code && f.commission !== undefined);
      const paidQty = paid.reduce((s, f) => s + Math.abs(f.qty), 0);
      const actualCommission =
        paidQty > 0 ? paid.reduce((s, f) => s + f.commission!, 0) / paidQty : undefined;
      const configuredCommission = commissionPerContract(m);
      const annual = riskFigures(m).annualPriceStdev;
      const sr = (slip?: number, comm?: number) =>
        slip === undefined || annual === undefined || m.pointSize === undefined || annual === 0
          ? undefined
          : (slip * m.pointSize + (comm ?? 0)) / (annual * m.pointSize);
      return {
        instrumentCode: code,
        configuredSlippage: m.spreadCost,
        actualSlippage,
        slippageOrders: slips.length,
        configuredCommission,
        actualCommission,
        commissionCurrency: paid[0]?.commissionCurrency ?? m.currency,
        annualPriceStdev: annual,
        srCostConfigured: sr(m.spreadCost, configuredCommission),
        srCostActual: sr(actualSlippage, actualCommission ?? configuredCommission),
      };
    })
    .sort(
      (a, b) =>
        (b.srCostConfigured ?? -1) - (a.srCostConfigured ?? -1) ||
        a.instrumentCode.localeCompare(b.instrumentCode),
    );
}

const sr = (x?: number) => (x === undefined ? 'n/a' : x.toFixed(4));

export function costsReport(rows: CostRow[], now: number): Report<CostRow[]> {
  const charts: ChartSpec[] = [
    {
      id: 'sr-costs',
      title: 'SR cost per trade',
      kind: 'bar',
      labels: rows.map((r) => r.instrumentCode),
      series: [
        { name: 'configured', values: rows.map((r) => r.srCostConfigured ?? null) },
        { name: 'actual', values: rows.map((r) => r.srCostActual ?? null) },
      ],
    },
  ];
  const text = reportText('Costs report', now, [
    section(
      'SR cost per trade (one contract; sorted by configured SR cost)',
      table(
        [
          'instrument',
          'slippage_cfg',
          'slippage_actual',
          'orders',
          'commission_cfg',
          'commission_actual',
          'ccy',
          'annual_stdev',
          'SR_cost_cfg',
          'SR_cost_actual',
        ],
        rows.map((r) => [
          r.instrumentCode,
          r.configuredSlippage,
          r.actualSlippage,
          r.slippageOrders,
          r.configuredCommission,
          r.actualCommission,
          r.commissionCurrency,
          r.annualPriceStdev,
          sr(r.srCostConfigured),
          sr(r.srCostActual),
        ]),
      ),
    ),
  ]);
  return { name: 'costs_report', generatedAt: now, text, data: rows, charts };
}

/** Configured vs estimated (sampled) slippage per instrument, price units. */
export function slippageReport(rows: CostRow[], now: number): Report<CostRow[]> {
  const text = reportText('Slippage report', now, [
    section(
      'Configured vs estimated slippage (price units; estimated = mean cost of filled broker orders)',
      table(
        ['instrument', 'configured', 'estimated', 'orders', 'difference'],
        rows.map((r) => [
          r.instrumentCode,
          r.configuredSlippage,
          r.actualSlippage,
          r.slippageOrders,
          r.configuredSlippage !== undefined && r.actualSlippage !== undefined
            ? r.actualSlippage - r.configuredSlippage
            : undefined,
        ]),
      ),
    ),
  ]);
  return { name: 'slippage_report', generatedAt: now, text, data: rows };
}
