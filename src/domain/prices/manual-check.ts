import { findSpike, type Spike } from './spike-check.ts';

/**
 * Manual check of quarantined prices (production doc "Manual check of futures contract historical
 * price data"; digest §6.2 "On a spike"): the whole batch (old + new rows) is spike-checked; for
 * each spike a person accepts it, takes the previous period's value, or types a value. Typed values
 * are checked again (so a fat finger is caught); accepted and previous values are not. A changed
 * FINAL moves OPEN/HIGH/LOW by the same delta; VOLUME is unchanged. Pure: no I/O.
 */
export interface CheckRow {
  time: number;
  final: number;
  /** OPEN, HIGH, LOW, VOLUME for futures; absent for FX (a single series). */
  open?: number;
  high?: number;
  low?: number;
  volume?: number;
}

export interface ManualCheckState {
  /** Stored rows followed by the quarantined new rows. */
  rows: CheckRow[];
  firstNewIndex: number;
  maxSpike: number;
  /** Row indices accepted as they are (or set to the previous value): not checked again. */
  accepted: ReadonlySet<number>;
}

export type ManualDecision = { kind: 'accept' } | { kind: 'previous' } | { kind: 'value'; value: number };

export interface PendingSpike extends Spike {
  value: number;
  previous: number;
}

export function startManualCheck(old: CheckRow[], newRows: CheckRow[], maxSpike: number): ManualCheckState {
  return { rows: [...old, ...newRows], firstNewIndex: old.length, maxSpike, accepted: new Set() };
}

/** The next spike to decide on, or undefined when the data is clean. */
export function nextSpike(state: ManualCheckState): PendingSpike | undefined {
  const times = Float64Array.from(state.rows, (r) => r.time);
  const finals = Float64Array.from(state.rows, (r) => r.final);
  const spike = findSpike(times, finals, state.firstNewIndex, state.maxSpike, state.accepted);
  if (!spike) return undefined;
  const row = state.rows[spike.index] as CheckRow;
  const prev = state.rows[spike.index - 1];
  return { ...spike, value: row.final, previous: prev ? prev.final : Number.NaN };
}

function moveRow(row: CheckRow, final: number): CheckRow {
  const delta = final - row.final;
  const out: CheckRow = { ...row, final };
  if (row.open !== undefined) out.open = row.open + delta;
  if (row.high !== undefined) out.high = row.high + delta;
  if (row.low !== undefined) out.low = row.low + delta;
  return out;
}

/** Apply a person's decision about the spike at `index`. */
export function applyDecision(
  state: ManualCheckState,
  index: number,
  decision: ManualDecision,
): ManualCheckState {
  const row = state.rows[index];
  if (!row || index < state.firstNewIndex) throw new Error(`row ${index} is not a new row`);
  if (decision.kind === 'accept') return { ...state, accepted: new Set([...state.accepted, index]) };
  const rows = [...state.rows];
  if (decision.kind === 'previous') {
    const prev = rows[index - 1];
    if (!prev) throw new Error('no previous value to use');
    rows[index] = moveRow(row, prev.final);
    return { ...state, rows, accepted: new Set([...state.accepted, index]) };
  }
  if (!Number.isFinite(decision.value))
    throw new Error(`typed value must be a number, got ${decision.value}`);
  rows[index] = moveRow(row, decision.value);
  // typed values are spike-checked again: not added to `accepted`
  return { ...state, rows };
}

/** Run decisions until clean; `decide` is asked about each spike (used by --accept-all / --use-previous). */
export function runManualCheck(
  state: ManualCheckState,
  decide: (spike: PendingSpike) => ManualDecision,
  maxSteps = 100_000,
): ManualCheckState {
  let s = state;
  for (let step = 0; step < maxSteps; step++) {
    const spike = nextSpike(s);
    if (!spike) return s;
    s = applyDecision(s, spike.index, decide(spike));
  }
  throw new Error('manual check did not converge');
}

/** The checked new rows, to be written after the stored ones. */
export function checkedNewRows(state: ManualCheckState): CheckRow[] {
  return state.rows.slice(state.firstNewIndex);
}

/** Read a person's answer: `a`/`accept`, `p`/`previous`, or a number. Undefined when it is none of these. */
export function parseDecisionInput(text: string): ManualDecision | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'a' || t === 'accept') return { kind: 'accept' };
  if (t === 'p' || t === 'previous') return { kind: 'previous' };
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(t)) return undefined;
  return { kind: 'value', value: Number(t) };
}
