/**
 * Reconcile report (digest §8 "Reconcile"): the instrument vs contract break (H2: Σ strategy
 * positions vs Σ contract positions per instrument) and the broker vs contract DB break (H1: our
 * contract positions vs the broker's, a missing one counts as 0). Contracts are compared by month
 * (`YYYYMM`): our ids may be `YYYYMM00` while the broker reports the real expiry (H1 mapping).
 * The optimal-vs-actual break (item 1, self-healing): a strategy position outside its buffered
 * optimal position, current < round(lower) or current > round(upper). Also the trades of the last
 * 24 hours, ours (contract-level fills) and the broker's, terse, to see what a break came from.
 */
import { isoMinute, type Report, reportText, section, table } from './format.ts';

const DAY_MS = 86_400_000;

export interface ContractPosition {
  instrumentCode: string;
  contractDate: string;
  position: number;
}
export interface StrategyPosition {
  strategyName: string;
  instrumentCode: string;
  position: number;
}

export interface ExternalBreak {
  instrumentCode: string;
  contractMonth: string;
  ours: number;
  broker: number;
}
export interface InternalBreak {
  instrumentCode: string;
  strategyTotal: number;
  contractTotal: number;
}

const month = (c: string) => c.slice(0, 6);

/** H1: every (instrument, contract month) whose positions differ, a missing one counting as 0. */
export function externalBreaks(ours: ContractPosition[], broker: ContractPosition[]): ExternalBreak[] {
  const rows = new Map<string, ExternalBreak>();
  const at = (p: ContractPosition) => {
    const k = `${p.instrumentCode}/${month(p.contractDate)}`;
    const r = rows.get(k) ?? {
      instrumentCode: p.instrumentCode,
      contractMonth: month(p.contractDate),
      ours: 0,
      broker: 0,
    };
    rows.set(k, r);
    return r;
  };
  for (const p of ours) at(p).ours += p.position;
  for (const p of broker) at(p).broker += p.position;
  return [...rows.values()]
    .filter((r) => r.ours !== r.broker)
    .sort(
      (a, b) =>
        a.instrumentCode.localeCompare(b.instrumentCode) || a.contractMonth.localeCompare(b.contractMonth),
    );
}

/** H2: Σ strategy positions vs Σ contract positions, per instrument. */
export function internalBreaks(contract: ContractPosition[], strategy: StrategyPosition[]): InternalBreak[] {
  const rows = new Map<string, InternalBreak>();
  const at = (i: string) => {
    const r = rows.get(i) ?? { instrumentCode: i, strategyTotal: 0, contractTotal: 0 };
    rows.set(i, r);
    return r;
  };
  for (const p of contract) at(p.instrumentCode).contractTotal += p.position;
  for (const p of strategy) at(p.instrumentCode).strategyTotal += p.position;
  return [...rows.values()]
    .filter((r) => r.strategyTotal !== r.contractTotal)
    .sort((a, b) => a.instrumentCode.localeCompare(b.instrumentCode));
}

export interface OptimalPosition {
  strategyName: string;
  instrumentCode: string;
  lower: number;
  upper: number;
}

export interface OptimalRow extends OptimalPosition {
  current: number;
  isBreak: boolean;
}

/** Item 1: every buffered optimal position against the strategy's current position. */
export function optimalVsActual(optimal: OptimalPosition[], strategy: StrategyPosition[]): OptimalRow[] {
  return optimal
    .map((o) => {
      const current = strategy
        .filter((p) => p.strategyName === o.strategyName && p.instrumentCode === o.instrumentCode)
        .reduce((s, p) => s + p.position, 0);
      return { ...o, current, isBreak: current < Math.round(o.lower) || current > Math.round(o.upper) };
    })
    .sort(
      (a, b) =>
        a.strategyName.localeCompare(b.strategyName) || a.instrumentCode.localeCompare(b.instrumentCode),
    );
}

/** One trade (a fill): ours from the fills stream, or the broker's. */
export interface TradeLine {
  time: number;
  instrumentCode: string;
  contractDate?: string;
  qty: number;
  price: number;
  strategyName?: string;
  /** Ours only: broker, manual-broker, manual-contract, balance. */
  kind?: string;
}

export interface ReconcileInput {
  contract: ContractPosition[];
  strategy: StrategyPosition[];
  broker: ContractPosition[];
  locks: Array<{ instrumentCode: string; reason: string }>;
  optimal?: OptimalPosition[];
  /** Our contract-level fills (any time: the report keeps the last 24 hours). */
  dbTrades?: TradeLine[];
  /** The broker's fills; undefined when they could not be read. */
  brokerTrades?: TradeLine[];
}

/** Trades in the 24 hours up to now, oldest first. */
export function lastDayTrades(trades: readonly TradeLine[], now: number): TradeLine[] {
  return trades.filter((t) => t.time > now - DAY_MS && t.time <= now).sort((a, b) => a.time - b.time);
}

export interface ReconcileData extends ReconcileInput {
  internal: InternalBreak[];
  external: ExternalBreak[];
  optimalVsActual: OptimalRow[];
}

export function reconcileReport(input: ReconcileInput, now: number): Report<ReconcileData> {
  const nonZero = <T extends { position: number }>(xs: T[]) => xs.filter((x) => x.position !== 0);
  const data: ReconcileData = {
    contract: nonZero(input.contract),
    strategy: nonZero(input.strategy),
    broker: nonZero(input.broker),
    locks: input.locks,
    internal: internalBreaks(input.contract, input.strategy),
    external: externalBreaks(input.contract, input.broker),
    optimalVsActual: optimalVsActual(input.optimal ?? [], input.strategy),
    dbTrades: lastDayTrades(input.dbTrades ?? [], now),
    brokerTrades: input.brokerTrades && lastDayTrades(input.brokerTrades, now),
  };
  const optimalBreaks = data.optimalVsActual.filter((r) => r.isBreak).length;
  const breakText = [
    optimalBreaks === 0
      ? 'No optimal vs actual breaks.'
      : `${optimalBreaks} optimal vs actual break(s): self-healing (the next strategy orders trade them).`,
    data.internal.length === 0
      ? 'No instrument vs contract breaks.'
      : `${data.internal.length} instrument vs contract break(s): fix with a balance instrument trade.`,
    data.external.length === 0
      ? 'No broker vs contract breaks.'
      : `${data.external.length} broker vs contract break(s): fix with a balance trade.`,
  ].join('\n');
  const text = reportText('Reconcile report', now, [
    section('Breaks', breakText),
    section(
      'Optimal vs actual (buffered; break = current outside [round(lower), round(upper)])',
      table(
        ['strategy', 'instrument', 'current', 'lower/upper', 'break'],
        data.optimalVsActual.map((r) => [
          r.strategyName,
          r.instrumentCode,
          r.current,
          `${r.lower.toFixed(1)}/${r.upper.toFixed(1)}`,
          r.isBreak ? 'BREAK' : '',
        ]),
      ),
    ),
    section(
      'Instrument vs contract breaks (strategy total vs contract total)',
      table(
        ['instrument', 'strategy_total', 'contract_total'],
        data.internal.map((b) => [b.instrumentCode, b.strategyTotal, b.contractTotal]),
      ),
    ),
    section(
      'Broker vs contract breaks',
      table(
        ['instrument', 'contract', 'ours', 'broker'],
        data.external.map((b) => [b.instrumentCode, b.contractMonth, b.ours, b.broker]),
      ),
    ),
    section(
      'Strategy positions',
      table(
        ['strategy', 'instrument', 'position'],
        data.strategy.map((p) => [p.strategyName, p.instrumentCode, p.position]),
      ),
    ),
    section(
      'Contract positions (ours)',
      table(
        ['instrument', 'contract', 'position'],
        data.contract.map((p) => [p.instrumentCode, p.contractDate, p.position]),
      ),
    ),
    section(
      'Broker positions',
      table(
        ['instrument', 'contract', 'position'],
        data.broker.map((p) => [p.instrumentCode, p.contractDate, p.position]),
      ),
    ),
    section(
      'Locked instruments',
      table(
        ['instrument', 'reason'],
        data.locks.map((l) => [l.instrumentCode, l.reason]),
      ),
    ),
    section(
      'DB trades (last 24 hours)',
      table(
        ['time', 'kind', 'strategy', 'instrument', 'contract', 'qty', 'price'],
        (data.dbTrades ?? []).map((t) => [
          isoMinute(t.time),
          t.kind ?? '',
          t.strategyName ?? '',
          t.instrumentCode,
          t.contractDate ?? '',
          t.qty,
          t.price,
        ]),
      ),
    ),
    section(
      'Broker trades (last 24 hours)',
      data.brokerTrades
        ? table(
            ['time', 'instrument', 'contract', 'qty', 'price'],
            data.brokerTrades.map((t) => [
              isoMinute(t.time),
              t.instrumentCode,
              t.contractDate ?? '',
              t.qty,
              t.price,
            ]),
          )
        : '(not read from the broker)',
    ),
  ]);
  return { name: 'reconcile_report', generatedAt: now, text, data };
}
