/**
 * P&L per instrument from positions and fills (digest §8 "P&L", `pandlCalculationWithFills`),
 * over the window `(start, end]`, per contract held or traded:
 *   points = position_at_start × (P_end − P_start) + Σ fills in window qty × (P_end − fill price)
 *   base   = points × point size × FX (instrument currency → base, last rate at or before end)
 *   %      = base / maximum capital × 100
 * P_start / P_end are the contract's last FINAL price at or before start / end. Commissions of the
 * fills in the window are summed apart (`commissions`, base currency), not taken from the rows, as
 * the reference's instrument P&L is gross. A contract whose
 * prices are missing where needed gets no figure (and is listed as such). Instruments with zero
 * P&L are dropped; rows are sorted ascending (as the reference does).
 */

export interface ContractFill {
  instrumentCode: string;
  contractDate: string;
  qty: number;
  price: number;
  time: number;
  /** Broker commission of the fill, in the instrument's currency (absent: none reported). */
  commission?: number;
}

export interface ContractPricing {
  /** Last FINAL price at or before a time, or undefined. */
  priceAt(instrumentCode: string, contractDate: string, t: number): number | undefined;
  pointSize(instrumentCode: string): number | undefined;
  /** Instrument currency → base currency rate at `t` (1 for the base currency). */
  fxAt(instrumentCode: string, t: number): number | undefined;
}

export interface InstrumentPandl {
  instrumentCode: string;
  pandl: number;
  pandlPercent: number;
}

export interface InstrumentPandlResult {
  rows: InstrumentPandl[];
  /** Contracts whose P&L could not be valued, with why. */
  unpriced: Array<{ instrumentCode: string; contractDate: string; missing: string }>;
  futuresTotal: number;
  /** Commissions of the valued fills in the window, base currency. */
  commissions: number;
}

export function instrumentPandl(
  fills: ContractFill[],
  pricing: ContractPricing,
  start: number,
  end: number,
  maxCapital: number,
): InstrumentPandlResult {
  const contracts = new Map<
    string,
    { instrumentCode: string; contractDate: string; atStart: number; inWindow: ContractFill[] }
  >();
  for (const f of fills) {
    if (f.time > end) continue;
    const k = `${f.instrumentCode}/${f.contractDate}`;
    const c = contracts.get(k) ?? {
      instrumentCode: f.instrumentCode,
      contractDate: f.contractDate,
      atStart: 0,
      inWindow: [],
    };
    if (f.time <= start) c.atStart += f.qty;
    else c.inWindow.push(f);
    contracts.set(k, c);
  }
  const byInstrument = new Map<string, number>();
  let commissions = 0;
  const unpriced: InstrumentPandlResult['unpriced'] = [];
  for (const c of contracts.values()) {
    if (c.atStart === 0 && c.inWindow.length === 0) continue;
    const pEnd = pricing.priceAt(c.instrumentCode, c.contractDate, end);
    const pStart = c.atStart !== 0 ? pricing.priceAt(c.instrumentCode, c.contractDate, start) : 0;
    const size = pricing.pointSize(c.instrumentCode);
    const fx = pricing.fxAt(c.instrumentCode, end);
    const missing = [
      pEnd === undefined ? 'price at end' : '',
      pStart === undefined ? 'price at start' : '',
      size === undefined ? 'point size' : '',
      fx === undefined ? 'fx rate' : '',
    ].filter(Boolean);
    if (missing.length > 0) {
      unpriced.push({
        instrumentCode: c.instrumentCode,
        contractDate: c.contractDate,
        missing: missing.join(', '),
      });
      continue;
    }
    const points =
      c.atStart * (pEnd! - pStart!) + c.inWindow.reduce((s, f) => s + f.qty * (pEnd! - f.price), 0);
    byInstrument.set(c.instrumentCode, (byInstrument.get(c.instrumentCode) ?? 0) + points * size! * fx!);
    commissions += c.inWindow.reduce((s, f) => s + (f.commission ?? 0), 0) * fx!;
  }
  const rows = [...byInstrument]
    .filter(([, p]) => p !== 0)
    .map(([instrumentCode, pandl]) => ({
      instrumentCode,
      pandl,
      pandlPercent: maxCapital > 0 ? (pandl / maxCapital) * 100 : 0,
    }))
    .sort((a, b) => a.pandlPercent - b.pandlPercent || a.instrumentCode.localeCompare(b.instrumentCode));
  return { rows, unpriced, futuresTotal: rows.reduce((s, r) => s + r.pandl, 0), commissions };
}
