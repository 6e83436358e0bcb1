/**
 * Our contracts ↔ IB's: a futures contract from the instrument's IB config and our contract date;
 * the one contract IB resolves it to (weeklies ignored where configured); trading hours from IB's
 * contract details; the reverse mapping of IB's contracts in positions and executions.
 */
import { type Contract, type ContractDetails as IbContractDetails, SecType } from '@stoqey/ib';
import type { ContractId, TradingHours } from '../port.ts';
import { IbContractUnresolved } from './errors.ts';
import type { IbFuturesConfig, IbFxConfig, IbInstrumentConfig } from './ib-config.ts';

/** Our contract as IB knows it: its conId (and exchange) to send, and its details. */
export interface ResolvedContract {
  id: ContractId;
  contract: Contract;
  details: IbContractDetails;
}

export function futuresConfig(cfg: IbInstrumentConfig, instrumentCode: string): IbFuturesConfig {
  const c = cfg.futures.get(instrumentCode);
  if (!c) throw new IbContractUnresolved(`instrument ${instrumentCode} is not in ib_config_futures.csv`);
  return c;
}

/** The contract to ask IB about (reqContractDetails) for one of our contracts. */
export function futuresQuery(cfg: IbFuturesConfig, contractDate: string): Contract {
  return {
    secType: SecType.FUT,
    symbol: cfg.symbol,
    exchange: cfg.exchange,
    ...(cfg.currency === '' ? {} : { currency: cfg.currency }),
    multiplier: cfg.multiplier,
    lastTradeDateOrContractMonth:
      contractDate.length > 6 && contractDate.endsWith('00') ? contractDate.slice(0, 6) : contractDate,
    includeExpired: true,
  };
}

/** A weekly trading class carries digits (VX vs VX48). */
const isWeekly = (d: IbContractDetails): boolean => /\d/.test(d.contract.tradingClass ?? '');

/** The one contract IB returned, weeklies dropped when the config says so. */
export function pickContract(
  cfg: IbFuturesConfig,
  contractDate: string,
  found: IbContractDetails[],
): IbContractDetails {
  const candidates = cfg.ignoreWeekly ? found.filter((d) => !isWeekly(d)) : found;
  const only = candidates[0];
  if (candidates.length === 1 && only) return only;
  const what = `${cfg.instrumentCode} ${contractDate} (${cfg.symbol} on ${cfg.exchange})`;
  if (candidates.length === 0) throw new IbContractUnresolved(`IB has no contract for ${what}`);
  throw new IbContractUnresolved(
    `IB has ${candidates.length} contracts for ${what}: ${candidates.map((d) => d.contract.localSymbol).join(', ')}` +
      (cfg.ignoreWeekly ? '' : ' (IgnoreWeekly is FALSE for this instrument)'),
  );
}

/** IB's spot FX contract for one of our FX codes (e.g. JPYUSD → USD.JPY, inverted). */
export function fxContract(fx: IbFxConfig): Contract {
  return { secType: SecType.CASH, symbol: fx.ccy1, currency: fx.ccy2, exchange: 'IDEALPRO' };
}

/** Which of our instruments an IB contract in a position or execution is. */
export function instrumentOf(cfg: IbInstrumentConfig, c: Contract): string | undefined {
  const bySymbol = [...cfg.futures.values()].filter((f) => f.symbol === c.symbol);
  if (bySymbol.length <= 1) return bySymbol[0]?.instrumentCode;
  const byMult = bySymbol.filter((f) => c.multiplier === undefined || f.multiplier === Number(c.multiplier));
  const byExch = byMult.filter((f) => !c.exchange || f.exchange === c.exchange);
  return (byExch[0] ?? byMult[0])?.instrumentCode;
}

/**
 * Trading hours from IB's `tradingHours` ("20261130:1700-20261201:1600;20261201:CLOSED") in the
 * contract's time zone (`timeZoneId`, an IANA name or IB's "US/Central" style alias).
 */
export function parseTradingHours(text: string, timeZoneId: string): TradingHours {
  const sessions: TradingHours['sessions'] = [];
  for (const part of text.split(';')) {
    const m = /^(\d{8}):(\d{4})-(\d{8}):(\d{4})$/.exec(part.trim());
    if (!m) continue;
    const [, d1 = '', t1 = '', d2 = '', t2 = ''] = m;
    sessions.push({ open: zonedToEpoch(d1, t1, timeZoneId), close: zonedToEpoch(d2, t2, timeZoneId) });
  }
  return { sessions };
}

/** Epoch ms of a local date (yyyyMMdd) and time (HHmm) in a time zone. */
export function zonedToEpoch(ymd: string, hhmm: string, tz: string): number {
  const utc = Date.UTC(
    +ymd.slice(0, 4),
    +ymd.slice(4, 6) - 1,
    +ymd.slice(6, 8),
    +hhmm.slice(0, 2),
    +hhmm.slice(2, 4),
  );
  const offset = zoneOffsetMs(utc, tz);
  return utc - zoneOffsetMs(utc - offset, tz);
}

/** Offset of a time zone from UTC at an instant (ms; positive east of Greenwich). */
function zoneOffsetMs(at: number, tz: string): number {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
  } catch {
    // Not a zone name Intl knows: read the hours as UTC.
    return 0;
  }
  const p = Object.fromEntries(fmt.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  const local = Date.UTC(
    +(p.year ?? 0),
    +(p.month ?? 1) - 1,
    +(p.day ?? 1),
    +(p.hour ?? 0),
    +(p.minute ?? 0),
  );
  return local - Math.floor(at / 60_000) * 60_000;
}

/** Our contract id for an IB contract (YYYYMM from its expiry when not seen before). */
export function contractIdOf(instrumentCode: string, c: Contract): ContractId {
  const date = c.lastTradeDateOrContractMonth ?? '';
  return { instrumentCode, contractDate: date.slice(0, 6) };
}
