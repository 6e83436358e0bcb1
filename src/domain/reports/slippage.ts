/**
 * Trade report slippage (digest §8 "Trade"), per broker order from the historic order families:
 * b = sign of the trade (+1 buy, −1 sell); a positive value is good.
 *   delay               = b·(reference − mid)     (DOC≠CODE: the code uses mid, as here)
 *   bid_ask             = b·(mid − side)
 *   execution           = b·(side − fill)
 *   total_trading       = bid_ask + execution
 *   versus_limit        = b·(initial limit − fill)
 *   versus_parent_limit = b·(parent limit − fill)
 * The reference price is the parent contract order's, the reference datetime the instrument
 * order's; delays are submit − reference and fill − submit, in seconds. A measure whose inputs are
 * missing is left undefined. Each measure is also given (when the scale is known):
 *   ticks          = x / tick size
 *   cash           = x × value of a price point in base currency × |fill| (the whole order)
 *   vol-normalised = 10000 × x / annual σ_p, σ_p = daily price stdev × 16 (bp of annual vol)
 */

/** The parts of a stored family (actors/stack/completion.ts `appendHistory`) slippage reads. */
export interface HistoricFamily {
  completedAt: number;
  instrument: {
    id: number;
    strategyName: string;
    instrumentCode: string;
    referenceDatetime?: number;
    limitPrice?: number;
  };
  contracts: Array<{ id: number; referencePrice?: number; limitPrice?: number }>;
  brokers: Array<{
    id: number;
    parent?: number;
    contractDate: string;
    trade: number;
    fill: number;
    filledPrice?: number;
    fillDatetime?: number;
    submitDatetime?: number;
    limitPrice?: number;
    sidePrice?: number;
    midPrice?: number;
  }>;
}

export interface SlippageRow {
  strategyName: string;
  instrumentCode: string;
  contractDate: string;
  brokerOrderId: number;
  fill: number;
  filledPrice: number;
  fillDatetime: number;
  referencePrice?: number;
  midPrice?: number;
  sidePrice?: number;
  delay?: number;
  bidAsk?: number;
  execution?: number;
  totalTrading?: number;
  versusLimit?: number;
  versusParentLimit?: number;
  submitDelaySeconds?: number;
  fillDelaySeconds?: number;
  ticks?: Measures;
  cash?: Measures;
  volNormalised?: Measures;
}

export const MEASURES = [
  'delay',
  'bidAsk',
  'execution',
  'totalTrading',
  'versusLimit',
  'versusParentLimit',
] as const;
export type Measure = (typeof MEASURES)[number];
export type Measures = Partial<Record<Measure, number>>;

/** Per instrument scales for the slippage in ticks, cash and vol-normalised. */
export interface SlippageScales {
  tickSize(instrumentCode: string): number | undefined;
  pointValueBase(instrumentCode: string): number | undefined;
  annualPriceStdev(instrumentCode: string): number | undefined;
}

export const NO_SCALES: SlippageScales = {
  tickSize: () => undefined,
  pointValueBase: () => undefined,
  annualPriceStdev: () => undefined,
};

function scaled(row: SlippageRow, by: number | undefined): Measures {
  const out: Measures = {};
  if (by === undefined || !Number.isFinite(by) || by === 0) return out;
  for (const m of MEASURES) if (row[m] !== undefined) out[m] = row[m]! * by;
  return out;
}

/** The same row in ticks, cash (base currency) and basis points of annual vol. */
export function withScales(row: SlippageRow, s: SlippageScales): SlippageRow {
  const tick = s.tickSize(row.instrumentCode);
  const pv = s.pointValueBase(row.instrumentCode);
  const vol = s.annualPriceStdev(row.instrumentCode);
  return {
    ...row,
    ticks: scaled(row, tick ? 1 / tick : undefined),
    cash: scaled(row, pv === undefined ? undefined : pv * Math.abs(row.fill)),
    volNormalised: scaled(row, vol ? 10_000 / vol : undefined),
  };
}

const diff = (b: number, x?: number, y?: number) =>
  x === undefined || y === undefined ? undefined : b * (x - y);
const seconds = (later?: number, earlier?: number) =>
  later === undefined || earlier === undefined ? undefined : (later - earlier) / 1000;

/** One row per filled broker order whose fill time is in `(start, end]`. */
export function slippageRows(
  families: HistoricFamily[],
  start: number,
  end: number,
  scales: SlippageScales = NO_SCALES,
): SlippageRow[] {
  const rows: SlippageRow[] = [];
  for (const fam of families) {
    for (const bo of fam.brokers) {
      if (bo.fill === 0 || bo.filledPrice === undefined || bo.fillDatetime === undefined) continue;
      if (bo.fillDatetime <= start || bo.fillDatetime > end) continue;
      const parent = fam.contracts.find((c) => c.id === bo.parent);
      const b = Math.sign(bo.trade);
      const fill = bo.filledPrice;
      const bidAsk = diff(b, bo.midPrice, bo.sidePrice);
      const execution = diff(b, bo.sidePrice, fill);
      rows.push({
        strategyName: fam.instrument.strategyName,
        instrumentCode: fam.instrument.instrumentCode,
        contractDate: bo.contractDate,
        brokerOrderId: bo.id,
        fill: bo.fill,
        filledPrice: fill,
        fillDatetime: bo.fillDatetime,
        referencePrice: parent?.referencePrice,
        midPrice: bo.midPrice,
        sidePrice: bo.sidePrice,
        delay: diff(b, parent?.referencePrice, bo.midPrice),
        bidAsk,
        execution,
        totalTrading: bidAsk === undefined || execution === undefined ? undefined : bidAsk + execution,
        versusLimit: diff(b, bo.limitPrice, fill),
        versusParentLimit: diff(b, parent?.limitPrice, fill),
        submitDelaySeconds: seconds(bo.submitDatetime, fam.instrument.referenceDatetime),
        fillDelaySeconds: seconds(bo.fillDatetime, bo.submitDatetime),
      });
    }
  }
  return rows
    .map((r) => withScales(r, scales))
    .sort((x, y) => x.fillDatetime - y.fillDatetime || x.brokerOrderId - y.brokerOrderId);
}
