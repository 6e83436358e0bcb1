/**
 * Status report (digest §8 "Status"): delayed methods (last start more than 3 days ago), delayed
 * prices (last adjusted price more than 3 days old; held instruments marked `*`), locked
 * instruments, order requests waiting, the process table (status, running, crashed, PID, last
 * start/end, outcome), the process status table (time_to_start, time_to_stop, prev_process: see
 * process-status.ts) and
 * the method table (last start/end, running). A method that never ran counts as delayed, except
 * in a process running now (its methods are about to run: run_reports' own, for one). Also the
 * position limits (key, position, limit, spare; at the limit when spare ≤ 0), the stored overrides
 * ("consider deleting") and all overrides (with the config lists' ones, digest B3), and each strategy/instrument's last optimal position time (delayed when
 * more than 3 days old). Trade limits (strategy, instrument, period_days, trade_limit,
 * trades_since_last_reset, trade_capacity_remaining, time_since_last_reset; at the limit when the
 * capacity ≤ 0), the FX prices beside the adjusted prices (delayed when more than 3 days old),
 * and the control config (start, end, previous process, host) when given.
 */
import { type Column, columnsTable, isoMinute, type Report, reportText, section, table } from './format.ts';
import { DAY_MS } from './pandl.ts';
import {
  type ControlConfigLine,
  hoursMinutes,
  processStatusLines,
  type ProcessStatusLine,
} from './process-status.ts';

export type { ControlConfigLine };

export const STALE_MS = 3 * DAY_MS;

export interface ProcessLine {
  name: string;
  status: string;
  lastStart?: number;
  lastEnd?: number;
  lastOutcome?: string;
  /** The last run crashed (P5: a crashed previous process does not count as finished). */
  recentlyCrashed?: boolean;
  /** The OS process id of the last run. */
  pid?: number;
  running: boolean;
  methods: Array<{ name: string; executions: number; lastRun?: number; lastEnd?: number; running: boolean }>;
}

export interface PositionLimitLine {
  /** `instrument` or `strategy/instrument`. */
  key: string;
  position: number;
  limit: number;
  spare: number;
}

/** A trade limit as read at the report's time (the count reset when its period has passed). */
export interface TradeLimitLine {
  /** '' for the instrument-only limit. */
  strategyName: string;
  instrumentCode: string;
  periodDays: number;
  tradeLimit: number;
  tradesSinceLastReset: number;
  tradeCapacityRemaining: number;
  lastResetTime: number;
}

export interface StatusInput {
  processes: ProcessLine[];
  prices: Array<{ instrumentCode: string; lastPrice?: number; held: boolean }>;
  locks: Array<{ instrumentCode: string; reason: string }>;
  pendingOrderRequests: number;
  positionLimits?: PositionLimitLine[];
  overrides?: Array<{ key: string; override: string }>;
  /** The overrides the config's instrument lists imply (digest B3), keyed `config <instrument>`. */
  configOverrides?: Array<{ key: string; override: string }>;
  optimalPositions?: Array<{ strategyName: string; instrumentCode: string; time?: number }>;
  tradeLimits?: TradeLimitLine[];
  /** Last FX price time per `<CCY><BASE>` code. */
  fxPrices?: Array<{ code: string; lastPrice?: number }>;
  /** The control config (start / stop times local to `timeZone`); undefined when not given. */
  controlConfig?: { timeZone: string; processes: ControlConfigLine[] };
}

export interface StatusData extends StatusInput {
  delayedMethods: Array<{ process: string; method: string; lastRun?: number }>;
  delayedPrices: Array<{ instrumentCode: string; lastPrice?: number }>;
  delayedOptimalPositions: Array<{ strategyName: string; instrumentCode: string; time?: number }>;
  atPositionLimit: PositionLimitLine[];
  atTradeLimit: TradeLimitLine[];
  delayedFxPrices: Array<{ code: string; lastPrice?: number }>;
  /** Per process of the control config: in its window now, past its stop, previous process done. */
  processStatus: ProcessStatusLine[];
}

const when = (t?: number) => (t === undefined ? 'never' : isoMinute(t));

export function statusSummary(input: StatusInput, now: number): StatusData {
  const stale = (t?: number) => t === undefined || now - t > STALE_MS;
  return {
    ...input,
    delayedMethods: input.processes.flatMap((p) =>
      p.methods
        .filter((m) => (m.lastRun === undefined ? !p.running : stale(m.lastRun)))
        .map((m) => ({ process: p.name, method: m.name, lastRun: m.lastRun })),
    ),
    delayedPrices: input.prices
      .filter((p) => stale(p.lastPrice))
      .map((p) => ({ instrumentCode: p.instrumentCode, lastPrice: p.lastPrice })),
    delayedOptimalPositions: (input.optimalPositions ?? []).filter((o) => stale(o.time)),
    atPositionLimit: (input.positionLimits ?? []).filter((l) => l.spare <= 0),
    atTradeLimit: (input.tradeLimits ?? []).filter((l) => l.tradeCapacityRemaining <= 0),
    delayedFxPrices: (input.fxPrices ?? []).filter((p) => stale(p.lastPrice)),
    processStatus: input.controlConfig ? processStatusLines(input.controlConfig, input.processes, now) : [],
  };
}

const duration = (ms: number) => {
  const h = Math.max(0, Math.floor(ms / 3_600_000));
  return `${Math.floor(h / 24)}d ${h % 24}h`;
};

const POSITION_LIMIT_COLUMNS: ReadonlyArray<Column<PositionLimitLine>> = [
  ['key', (l) => l.key],
  ['position', (l) => l.position],
  ['pos_limit', (l) => l.limit],
  ['spare', (l) => l.spare],
];

const OPTIMAL_COLUMNS: ReadonlyArray<
  Column<{ strategyName: string; instrumentCode: string; time?: number }>
> = [
  ['strategy', (o) => o.strategyName],
  ['instrument', (o) => o.instrumentCode],
  ['last_update', (o) => when(o.time)],
];

const PRICE_COLUMNS: ReadonlyArray<Column<{ name: string; lastPrice?: number }>> = [
  ['instrument / fx', (p) => p.name],
  ['last_update', (p) => when(p.lastPrice)],
];

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

const PROCESS_STATUS_COLUMNS: ReadonlyArray<Column<ProcessStatusLine>> = [
  ['process', (p) => p.process],
  ['start', (p) => p.startTime],
  ['end', (p) => p.stopTime],
  ['time_to_start', (p) => yesNo(p.timeToStart)],
  ['time_to_stop', (p) => yesNo(p.timeToStop)],
  ['prev_process', (p) => yesNo(p.prevProcess)],
  ['opens_in', (p) => hoursMinutes(p.minutesToStart)],
  ['closes_in', (p) => (p.timeToStart ? hoursMinutes(p.minutesToStop) : '')],
];

const tradeLimitColumns = (now: number): ReadonlyArray<Column<TradeLimitLine>> => [
  ['strategy', (l) => l.strategyName || '(all)'],
  ['instrument', (l) => l.instrumentCode],
  ['period_days', (l) => l.periodDays],
  ['trade_limit', (l) => l.tradeLimit],
  ['trades_since_last_reset', (l) => l.tradesSinceLastReset],
  ['trade_capacity_remaining', (l) => l.tradeCapacityRemaining],
  ['time_since_last_reset', (l) => duration(now - l.lastResetTime)],
];

export function statusReport(input: StatusInput, now: number): Report<StatusData> {
  const d = statusSummary(input, now);
  const text = reportText('Status report', now, [
    section(
      'Delayed methods (last start > 3 days ago)',
      table(
        ['process', 'method', 'last_start'],
        d.delayedMethods.map((m) => [m.process, m.method, when(m.lastRun)]),
      ),
    ),
    section(
      'Delayed adjusted / FX prices (last price > 3 days old)',
      columnsTable(PRICE_COLUMNS, [
        ...d.delayedPrices.map((p) => ({ name: p.instrumentCode, lastPrice: p.lastPrice })),
        ...d.delayedFxPrices.map((p) => ({ name: p.code, lastPrice: p.lastPrice })),
      ]),
    ),
    section(
      'Delayed optimal positions (> 3 days old)',
      columnsTable(OPTIMAL_COLUMNS, d.delayedOptimalPositions),
    ),
    section('At trade limit (capacity <= 0)', columnsTable(tradeLimitColumns(now), d.atTradeLimit)),
    section('At position limit (spare <= 0)', columnsTable(POSITION_LIMIT_COLUMNS, d.atPositionLimit)),
    section(
      'Overrides (consider deleting)',
      table(
        ['key', 'override'],
        (d.overrides ?? []).map((o) => [o.key, o.override]),
      ),
    ),
    section(
      'Locked instruments',
      table(
        ['instrument', 'reason'],
        d.locks.map((l) => [l.instrumentCode, l.reason]),
      ),
    ),
    section('Order requests waiting', String(d.pendingOrderRequests)),
    section(
      'Processes',
      table(
        ['process', 'status', 'running', 'last_start', 'last_end', 'outcome', 'crashed', 'pid'],
        d.processes.map((p) => [
          p.name,
          p.status,
          p.running ? 'yes' : 'no',
          when(p.lastStart),
          when(p.lastEnd),
          p.lastOutcome ?? '',
          p.recentlyCrashed ? 'yes' : 'no',
          p.pid,
        ]),
      ),
    ),
    section(
      `Process status${d.controlConfig ? ` (windows in ${d.controlConfig.timeZone})` : ''}`,
      d.controlConfig ? columnsTable(PROCESS_STATUS_COLUMNS, d.processStatus) : '(no control config given)',
    ),
    section(
      'Methods',
      table(
        ['process', 'method', 'executions', 'last_start', 'last_end', 'running'],
        d.processes.flatMap((p) =>
          p.methods.map((m) => [
            p.name,
            m.name,
            m.executions,
            when(m.lastRun),
            when(m.lastEnd),
            m.running ? 'yes' : 'no',
          ]),
        ),
      ),
    ),
    section(
      `Config for process control${d.controlConfig ? ` (times in ${d.controlConfig.timeZone})` : ''}`,
      d.controlConfig
        ? table(
            ['process', 'start', 'end', 'previous_process', 'host'],
            d.controlConfig.processes.map((p) => [
              p.process,
              p.startTime,
              p.stopTime,
              p.previousProcess ?? '',
              p.host ?? '',
            ]),
          )
        : '(not given)',
    ),
    section('Trade limits', columnsTable(tradeLimitColumns(now), d.tradeLimits ?? [])),
    section('Position limits', columnsTable(POSITION_LIMIT_COLUMNS, d.positionLimits ?? [])),
    section(
      'All overrides (stored and from the config lists)',
      table(
        ['key', 'override'],
        [...(d.overrides ?? []), ...(d.configOverrides ?? [])].map((o) => [o.key, o.override]),
      ),
    ),
    section('Last optimal position update', columnsTable(OPTIMAL_COLUMNS, d.optimalPositions ?? [])),
    section(
      'Last adjusted / FX price update (* = held)',
      columnsTable(PRICE_COLUMNS, [
        ...d.prices.map((p) => ({ name: `${p.instrumentCode}${p.held ? '*' : ''}`, lastPrice: p.lastPrice })),
        ...(d.fxPrices ?? []).map((p) => ({ name: p.code, lastPrice: p.lastPrice })),
      ]),
    ),
  ]);
  return { name: 'status_report', generatedAt: now, text, data: d };
}
