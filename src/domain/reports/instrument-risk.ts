/**
 * Instrument risk report (run_reports' `instrument_risk_report`; the reference's
 * `instrument_risk_report.py`): the risk figures of every instrument with prices, held or not,
 * sorted by annual % stdev (the same columns as the risk report's instrument table, without the
 * position columns).
 */
import { columnsTable, type Report, reportText, section } from './format.ts';
import { type InstrumentMarket, type InstrumentRiskFigures, riskFigures } from './market.ts';
import { INSTRUMENT_RISK_COLUMNS } from './risk.ts';

export type InstrumentRiskLine = InstrumentRiskFigures & { instrumentCode: string; price?: number };

export function instrumentRiskLines(markets: InstrumentMarket[]): InstrumentRiskLine[] {
  return markets
    .map((m) => ({ instrumentCode: m.instrumentCode, price: m.price, ...riskFigures(m) }))
    .filter((r) => r.annualPercStdev !== undefined)
    .sort(
      (a, b) => a.annualPercStdev! - b.annualPercStdev! || a.instrumentCode.localeCompare(b.instrumentCode),
    );
}

export function instrumentRiskReport(markets: InstrumentMarket[], now: number): Report<InstrumentRiskLine[]> {
  const rows = instrumentRiskLines(markets);
  const text = reportText('Instrument risk report', now, [
    section(
      'Risk of all instruments with data - sorted by annualised % standard deviation',
      columnsTable(INSTRUMENT_RISK_COLUMNS, rows),
    ),
  ]);
  return {
    name: 'instrument_risk_report',
    generatedAt: now,
    text,
    data: rows,
    charts: [
      {
        id: 'annual-perc-stdev',
        title: 'Annual % standard deviation per instrument',
        kind: 'bar',
        labels: rows.map((r) => r.instrumentCode),
        series: [{ name: 'annual % stdev', values: rows.map((r) => r.annualPercStdev ?? null) }],
      },
    ],
  };
}
