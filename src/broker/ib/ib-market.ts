/**
 * Contract details, historical bars (paced), market snapshots and spot FX over IB (the read-only
 * half of the adapter). Requests go through the adapter's router; every failure is an error, never
 * an empty or zero answer (an IB "no data" answer for a range is an empty list).
 */
import {
  BarSizeSetting,
  type Contract,
  type ContractDetails as IbContractDetails,
  type IBApi,
  WhatToShow,
} from '@stoqey/ib';
import type {
  BarFrequency,
  BrokerLeg,
  ContractDetails,
  ContractId,
  MarketSnapshot,
  PriceBar,
  SpreadSnapshot,
  TradingHours,
} from '../port.ts';
import { planIbCombo } from './combo.ts';
import {
  fxContract,
  futuresConfig,
  futuresQuery,
  parseTradingHours,
  pickContract,
  type ResolvedContract,
  zonedToEpoch,
} from './contracts.ts';
import { IbContractUnresolved, IbPacingViolation, IbRequestFailed } from './errors.ts';
import { fromIbPrice, type IbInstrumentConfig } from './ib-config.ts';
import type { HistoricalPacer } from './pacing.ts';
import type { IbRequests } from './requests.ts';

const DAY = 86_400_000;
/** IB tick types (TickType of @stoqey/ib, which its index exports as a type only). */
const TickType = {
  BID_SIZE: 0,
  BID: 1,
  ASK: 2,
  ASK_SIZE: 3,
  LAST: 4,
  DELAYED_BID: 66,
  DELAYED_ASK: 67,
  DELAYED_LAST: 68,
  DELAYED_BID_SIZE: 69,
  DELAYED_ASK_SIZE: 70,
} as const;

export interface IbMarketDeps {
  api(): IBApi;
  requests: IbRequests;
  instruments: IbInstrumentConfig;
  pacer: HistoricalPacer;
  now(): number;
  /** Waits after a pacing violation (162) before asking again, and how often. */
  pacingRetryMs: number;
  pacingRetries: number;
}

export interface HistoricalRow {
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export type TickRow = { kind: 'price' | 'size'; field: number; value: number };

/** IB's bar time: "yyyyMMdd" (daily, taken as 00:00 UTC), epoch seconds, or "yyyyMMdd HH:mm:ss[ zone]". */
export function ibTime(text: string): number {
  const t = text.trim();
  if (/^\d{8}$/.test(t)) return Date.UTC(+t.slice(0, 4), +t.slice(4, 6) - 1, +t.slice(6, 8));
  if (/^\d{9,10}$/.test(t)) return Number(t) * 1000;
  const m = /^(\d{8})[\s-]+(\d{2}):(\d{2}):(\d{2})(?:\s+(\S+))?$/.exec(t);
  if (!m) throw new IbRequestFailed(`unreadable IB time '${text}'`, 0, -1);
  const [, d = '', hh = '', mm = '', ss = '', zone] = m;
  return zonedToEpoch(d, `${hh}${mm}`, zone ?? 'UTC') + Number(ss) * 1000;
}

const isPacing = (msg: string): boolean => /pacing violation/i.test(msg);

export class IbMarket {
  private readonly resolved = new Map<string, ResolvedContract>();
  readonly byConId = new Map<number, ContractId>();

  constructor(private readonly d: IbMarketDeps) {}

  async resolve(c: ContractId): Promise<ResolvedContract> {
    const key = `${c.instrumentCode}/${c.contractDate}`;
    const known = this.resolved.get(key);
    if (known) return known;
    const cfg = futuresConfig(this.d.instruments, c.instrumentCode);
    const found = await this.d.requests.open<IbContractDetails>(`contract details ${key}`, (id) =>
      this.d.api().reqContractDetails(id, futuresQuery(cfg, c.contractDate)),
    );
    const details = pickContract(cfg, c.contractDate, found);
    const conId = details.contract.conId;
    if (!conId) throw new IbContractUnresolved(`IB returned no conId for ${key}`);
    const r: ResolvedContract = {
      id: { ...c },
      contract: { conId, exchange: details.contract.exchange ?? cfg.exchange },
      details,
    };
    this.resolved.set(key, r);
    this.byConId.set(conId, r.id);
    return r;
  }

  async contractDetails(c: ContractId): Promise<ContractDetails> {
    const { details } = await this.resolve(c);
    const cfg = futuresConfig(this.d.instruments, c.instrumentCode);
    const expiry = details.realExpirationDate || details.contract.lastTradeDateOrContractMonth || '';
    return {
      ...c,
      expiryDate: expiry,
      multiplier: Number(details.contract.multiplier ?? cfg.multiplier) / cfg.priceMagnifier,
      currency: details.contract.currency ?? cfg.currency,
      exchange: details.contract.exchange ?? cfg.exchange,
      tickSize: (details.minTick ?? 0) * cfg.priceMagnifier,
    };
  }

  async tradingHours(c: ContractId): Promise<TradingHours> {
    const { details } = await this.resolve(c);
    return parseTradingHours(details.tradingHours ?? '', details.timeZoneId ?? 'UTC');
  }

  async historicalPrices(c: ContractId, frequency: BarFrequency, since?: number): Promise<PriceBar[]> {
    const cfg = futuresConfig(this.d.instruments, c.instrumentCode);
    const { contract } = await this.resolve(c);
    const rows = await this.history(
      `${c.instrumentCode}/${c.contractDate}`,
      contract,
      frequency,
      since,
      WhatToShow.TRADES,
    );
    return rows.map((r) => ({
      time: ibTime(r.time),
      open: fromIbPrice(r.open, cfg),
      high: fromIbPrice(r.high, cfg),
      low: fromIbPrice(r.low, cfg),
      close: fromIbPrice(r.close, cfg),
      volume: r.volume,
    }));
  }

  async fxHistoricalPrices(code: string, since?: number): Promise<Array<{ time: number; price: number }>> {
    const fx = this.d.instruments.fx.get(code);
    if (!fx) throw new IbContractUnresolved(`FX code ${code} is not in ib_config_spot_FX.csv`);
    const rows = await this.history(`FX ${code}`, fxContract(fx), 'D', since, WhatToShow.MIDPOINT);
    return rows.map((r) => ({ time: ibTime(r.time), price: fx.invert ? 1 / r.close : r.close }));
  }

  async marketSnapshot(c: ContractId): Promise<MarketSnapshot> {
    const cfg = futuresConfig(this.d.instruments, c.instrumentCode);
    const { contract } = await this.resolve(c);
    const q = await this.snapshot(`${c.instrumentCode}/${c.contractDate}`, contract, (v) => v > 0);
    return {
      ...c,
      bid: fromIbPrice(q.bid, cfg),
      ask: fromIbPrice(q.ask, cfg),
      bidSize: q.bidSize,
      askSize: q.askSize,
      ...(q.last === undefined ? {} : { last: fromIbPrice(q.last, cfg) }),
      time: this.d.now(),
    };
  }

  /**
   * A spread's quote as one contract: the market data of its BAG (IB quotes the combo itself,
   * which can be tighter than its legs' quotes). A combo's price may be zero or negative; IB's
   * -1 is "no price".
   */
  async spreadSnapshot(legs: BrokerLeg[]): Promise<SpreadSnapshot> {
    const label = `spread ${legs.map((l) => `${l.qty}×${l.instrumentCode}/${l.contractDate}`).join(' ')}`;
    const combo = await planIbCombo(label, legs, this.d.instruments, (c) => this.resolve(c));
    const q = await this.snapshot(label, combo.contract, (v) => v !== -1);
    return {
      legs: legs.map((l) => ({ ...l })),
      bid: fromIbPrice(q.bid, combo.cfg),
      ask: fromIbPrice(q.ask, combo.cfg),
      bidSize: q.bidSize,
      askSize: q.askSize,
      time: this.d.now(),
    };
  }

  /** One market data snapshot: the last bid, ask (both needed), sizes and last trade in IB's units. */
  private async snapshot(label: string, contract: Contract, isPrice: (v: number) => boolean) {
    const ticks = await this.d.requests.open<TickRow>(`market snapshot ${label}`, (id) =>
      this.d.api().reqMktData(id, contract, '', true, false),
    );
    const last = (kind: TickRow['kind'], fields: number[]): number | undefined =>
      ticks
        .filter((t) => t.kind === kind && fields.includes(t.field) && (kind === 'size' || isPrice(t.value)))
        .at(-1)?.value;
    const bid = last('price', [TickType.BID, TickType.DELAYED_BID]);
    const ask = last('price', [TickType.ASK, TickType.DELAYED_ASK]);
    if (bid === undefined || ask === undefined)
      throw new IbRequestFailed(`market snapshot ${label}: no bid or ask from IB`, 0, -1);
    return {
      bid,
      ask,
      bidSize: last('size', [TickType.BID_SIZE, TickType.DELAYED_BID_SIZE]) ?? 0,
      askSize: last('size', [TickType.ASK_SIZE, TickType.DELAYED_ASK_SIZE]) ?? 0,
      last: last('price', [TickType.LAST, TickType.DELAYED_LAST]),
    };
  }

  /** A paced historical request, asked again after a pacing violation. */
  private async history(
    label: string,
    contract: Contract,
    frequency: BarFrequency,
    since: number | undefined,
    what: WhatToShow,
  ): Promise<HistoricalRow[]> {
    const { duration, barSize } = durationFor(frequency, since, this.d.now());
    const key = `${label}|${barSize}|${duration}|${what}`;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.d.pacer.schedule(key, label, () =>
          this.d.requests.open<HistoricalRow>(`historical ${label} ${barSize}`, (id) =>
            this.d.api().reqHistoricalData(id, contract, '', duration, barSize, what, 0, 2, false),
          ),
        );
      } catch (err) {
        if (err instanceof IbRequestFailed && err.code === 162 && /returned no data/i.test(err.message))
          return [];
        const pacing = err instanceof IbRequestFailed && err.code === 162 && isPacing(err.message);
        if (!pacing) throw err;
        if (attempt >= this.d.pacingRetries)
          throw new IbPacingViolation(`${label}: still paced after ${attempt + 1} tries`, 162, err.reqId);
        await new Promise((r) => setTimeout(r, this.d.pacingRetryMs));
      }
    }
  }
}

function durationFor(
  frequency: BarFrequency,
  since: number | undefined,
  now: number,
): { duration: string; barSize: BarSizeSetting } {
  const barSize = {
    D: BarSizeSetting.DAYS_ONE,
    H: BarSizeSetting.HOURS_ONE,
    '5M': BarSizeSetting.MINUTES_FIVE,
    '1M': BarSizeSetting.MINUTES_ONE,
  }[frequency];
  if (since === undefined) return { duration: frequency === 'D' ? '1 Y' : '1 W', barSize };
  const days = Math.max(1, Math.ceil((now - since) / DAY) + 1);
  return { duration: days > 365 ? `${Math.ceil(days / 365)} Y` : `${days} D`, barSize };
}
