/**
 * Status report (digest §8 "Status"): delayed methods (last start more than 3 days ago), delayed
 * prices (last adjusted price more than 3 days old; held instruments marked `*`), locked
 * instruments, order requests waiting, the process table (status, last start/end, outcome) and
 * the method table (last start/end, running). A method that never ran counts as delayed, except
 * in a process running now (its methods are about to run: run_reports' own, for one). Also the
 * position limits (key, position, limit, spare; at the limit when spare ≤ 0), the overrides
 * ("consider deleting"), and each strategy/instrument's last optimal position time (delayed when
 * more than 3 days old). Not built: trade limits (the trade-limit store is another change).
 */
import { isoMinute, type Report, reportText, section, table } from './format.ts';
import { DAY_MS } from './pandl.ts';

export const STALE_MS = 3 * DAY_MS;

export interface ProcessLine {
  name: string;
  status: string;
  lastStart?: number;
  lastEnd?: number;
  lastOutcome?: string;
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

export interface StatusInput {
  processes: ProcessLine[];
  prices: Array<{ instrumentCode: string; lastPrice?: number; held: boolean }>;
  locks: Array<{ instrumentCode: string; reason: string }>;
  pendingOrderRequests: number;
  positionLimits?: PositionLimitLine[];
  overrides?: Array<{ key: string; override: string }>;
  optimalPositions?: Array<{ strategyName: string; instrumentCode: string; time?: number }>;
}

export interface StatusData extends StatusInput {
  delayedMethods: Array<{ process: string; method: string; lastRun?: number }>;
  delayedPrices: Array<{ instrumentCode: string; lastPrice?: number }>;
  delayedOptimalPositions: Array<{ strategyName: string; instrumentCode: string; time?: number }>;
  atPositionLimit: PositionLimitLine[];
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
  };
}

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
      'Delayed prices (last price > 3 days old)',
      table(
        ['instrument', 'last_price'],
        d.delayedPrices.map((p) => [p.instrumentCode, when(p.lastPrice)]),
      ),
    ),
    section(
      'Delayed optimal positions (> 3 days old)',
      table(
        ['strategy', 'instrument', 'last_update'],
        d.delayedOptimalPositions.map((o) => [o.strategyName, o.instrumentCode, when(o.time)]),
      ),
    ),
    section(
      'At position limit (spare <= 0)',
      table(
        ['key', 'position', 'pos_limit', 'spare'],
        d.atPositionLimit.map((l) => [l.key, l.position, l.limit, l.spare]),
      ),
    ),
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
        ['process', 'status', 'running', 'last_start', 'last_end', 'outcome'],
        d.processes.map((p) => [
          p.name,
          p.status,
          p.running ? 'yes' : 'no',
          when(p.lastStart),
          when(p.lastEnd),
          p.lastOutcome ?? '',
        ]),
      ),
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
      'Position limits',
      table(
        ['key', 'position', 'pos_limit', 'spare'],
        (d.positionLimits ?? []).map((l) => [l.key, l.position, l.limit, l.spare]),
      ),
    ),
    section(
      'Last optimal position update',
      table(
        ['strategy', 'instrument', 'last_update'],
        (d.optimalPositions ?? []).map((o) => [o.strategyName, o.instrumentCode, when(o.time)]),
      ),
    ),
    section(
      'Last price per instrument (* = held)',
      table(
        ['instrument', 'last_price'],
        d.prices.map((p) => [`${p.instrumentCode}${p.held ? '*' : ''}`, when(p.lastPrice)]),
      ),
    ),
  ]);
  return { name: 'status_report', generatedAt: now, text, data: d };
}
