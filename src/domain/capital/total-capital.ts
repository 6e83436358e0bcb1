/**
 * Total capital (digest §5.1; `sysobjects/production/capital.py` totalCapitalUpdater).
 *
 * pnl = V_new − V_prev. If |pnl / V_prev| > 10 % nothing is written: the change is held for
 * confirmation and accepted only after a fresh poll of the broker (the reference re-runs with
 * the limit disabled after the user confirms).
 *
 * | method | C_new                           | M_new  |
 * | full   | max(C_prev + pnl, 0)            | C_new  |
 * | half   | max(min(C_prev + pnl, M_prev), 0) | M_prev |
 * | fixed  | C_prev                          | C_prev |
 * A_new = A_prev + pnl in every method.
 */

export const CAPITAL_METHODS = ['full', 'half', 'fixed'] as const;
export type CapitalMethod = (typeof CAPITAL_METHODS)[number];

/** The guard on a single update: more than 10 % of the previous account value. */
export const DEFAULT_CAPITAL_CHANGE_LIMIT = 0.1;

export type CapitalRowKind = 'initialise' | 'update' | 'deposit' | 'withdrawal' | 'modify';

export interface CapitalRow {
  /** Epoch ms, from the clock port. */
  timestamp: number;
  kind: CapitalRowKind;
  broker_account_value: number;
  total_capital: number;
  max_capital: number;
  accumulated_pnl: number;
  /** Account value − excess liquidity, base currency, when the broker reported it. */
  margin?: number;
  /** Deposit (> 0) or withdrawal (< 0) amount for flow rows. */
  delta?: number;
}

/** A large change waiting for confirmation (nothing was written). */
export interface PendingCapitalChange {
  detected_at: number;
  previous_account_value: number;
  new_account_value: number;
  pnl: number;
  /** pnl / V_prev. */
  change: number;
}

export type CapitalUpdateResult =
  { outcome: 'written'; row: CapitalRow } | { outcome: 'held'; pending: PendingCapitalChange };

export class CapitalError extends Error {
  constructor(
    readonly code: 'no_capital' | 'bad_value' | 'no_pending' | 'already_initialised' | 'bad_method',
    message: string,
  ) {
    super(message);
  }
}

function finite(name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new CapitalError('bad_value', `${name} must be a finite number, got ${v}`);
  return v;
}

export function isCapitalMethod(x: string): x is CapitalMethod {
  return (CAPITAL_METHODS as readonly string[]).includes(x);
}

/** The capital method's arithmetic for one pnl. */
export function applyCapitalMethod(
  method: CapitalMethod,
  prev: Pick<CapitalRow, 'total_capital' | 'max_capital' | 'accumulated_pnl'>,
  pnl: number,
): Pick<CapitalRow, 'total_capital' | 'max_capital' | 'accumulated_pnl'> {
  const accumulated_pnl = prev.accumulated_pnl + pnl;
  switch (method) {
    case 'full': {
      const c = Math.max(prev.total_capital + pnl, 0);
      return { total_capital: c, max_capital: c, accumulated_pnl };
    }
    case 'half':
      return {
        total_capital: Math.max(Math.min(prev.total_capital + pnl, prev.max_capital), 0),
        max_capital: prev.max_capital,
        accumulated_pnl,
      };
    case 'fixed':
      return { total_capital: prev.total_capital, max_capital: prev.total_capital, accumulated_pnl };
  }
}

/** The first row: V = broker value, C = V (or given), M = C (or given), A = 0 (or given). */
export function initialiseCapital(
  now: number,
  values: {
    broker_account_value: number;
    total_capital?: number;
    max_capital?: number;
    accumulated_pnl?: number;
  },
): CapitalRow {
  const v = finite('broker_account_value', values.broker_account_value);
  const c = finite('total_capital', values.total_capital ?? v);
  const m = finite('max_capital', values.max_capital ?? c);
  const a = finite('accumulated_pnl', values.accumulated_pnl ?? 0);
  if (c < 0 || m < 0) throw new CapitalError('bad_value', 'capital values must not be negative');
  return {
    timestamp: now,
    kind: 'initialise',
    broker_account_value: v,
    total_capital: c,
    max_capital: m,
    accumulated_pnl: a,
  };
}

/**
 * `update_total_capital` from a fresh broker account value. With no previous row the first
 * row is created (the reference's documented behaviour; #1106 says the code failed instead).
 */
export function updateTotalCapital(
  prev: CapitalRow | undefined,
  newAccountValue: number,
  method: CapitalMethod,
  now: number,
  opts: { checkLimit?: number; margin?: number } = {},
): CapitalUpdateResult {
  finite('account value', newAccountValue);
  if (!prev) {
    const row = initialiseCapital(now, { broker_account_value: newAccountValue });
    return { outcome: 'written', row: opts.margin === undefined ? row : { ...row, margin: opts.margin } };
  }
  const pnl = newAccountValue - prev.broker_account_value;
  const limit = opts.checkLimit ?? DEFAULT_CAPITAL_CHANGE_LIMIT;
  const change =
    prev.broker_account_value === 0
      ? pnl === 0
        ? 0
        : Number.POSITIVE_INFINITY
      : pnl / prev.broker_account_value;
  if (Math.abs(change) > limit) {
    return {
      outcome: 'held',
      pending: {
        detected_at: now,
        previous_account_value: prev.broker_account_value,
        new_account_value: newAccountValue,
        pnl,
        change,
      },
    };
  }
  const row: CapitalRow = {
    timestamp: now,
    kind: 'update',
    broker_account_value: newAccountValue,
    ...applyCapitalMethod(method, prev, pnl),
  };
  if (opts.margin !== undefined) row.margin = opts.margin;
  return { outcome: 'written', row };
}

/**
 * Accept a held large change: the broker is polled again and the fresh value is applied with
 * the limit disabled. The pending change must exist and still describe the stored row.
 */
export function acceptLargeChange(
  prev: CapitalRow | undefined,
  pending: PendingCapitalChange | undefined,
  freshAccountValue: number,
  method: CapitalMethod,
  now: number,
  opts: { margin?: number } = {},
): CapitalRow {
  if (!pending)
    throw new CapitalError('no_pending', 'there is no large capital change waiting for confirmation');
  if (!prev) throw new CapitalError('no_capital', 'capital has not been initialised');
  if (prev.broker_account_value !== pending.previous_account_value)
    throw new CapitalError(
      'no_pending',
      'the pending change no longer matches the stored capital; update again',
    );
  const r = updateTotalCapital(prev, freshAccountValue, method, now, {
    ...opts,
    checkLimit: Number.POSITIVE_INFINITY,
  });
  if (r.outcome !== 'written') throw new Error('unreachable: limit disabled');
  return r.row;
}

/**
 * `adjust_broker_account_for_delta`: a deposit (δ > 0) or withdrawal (δ < 0) moves only the
 * stored account value, so the next pnl excludes the flow. C, M and A are carried over.
 */
export function adjustForDelta(prev: CapitalRow | undefined, delta: number, now: number): CapitalRow {
  if (!prev) throw new CapitalError('no_capital', 'capital has not been initialised');
  finite('delta', delta);
  if (delta === 0) throw new CapitalError('bad_value', 'a deposit or withdrawal must not be zero');
  return {
    timestamp: now,
    kind: delta > 0 ? 'deposit' : 'withdrawal',
    broker_account_value: prev.broker_account_value + delta,
    total_capital: prev.total_capital,
    max_capital: prev.max_capital,
    accumulated_pnl: prev.accumulated_pnl,
    delta,
  };
}

export type CapitalModification = Partial<
  Pick<CapitalRow, 'broker_account_value' | 'total_capital' | 'max_capital' | 'accumulated_pnl'>
>;

/** "Modify any value": a new row with the given values changed. */
export function modifyCapital(
  prev: CapitalRow | undefined,
  changes: CapitalModification,
  now: number,
): CapitalRow {
  if (!prev) throw new CapitalError('no_capital', 'capital has not been initialised');
  const keys = Object.keys(changes) as Array<keyof CapitalModification>;
  if (keys.length === 0) throw new CapitalError('bad_value', 'nothing to modify');
  const next: CapitalRow = { ...prev, timestamp: now, kind: 'modify' };
  delete next.delta;
  for (const k of keys) {
    const v = finite(k, changes[k]!);
    if (k !== 'accumulated_pnl' && v < 0) throw new CapitalError('bad_value', `${k} must not be negative`);
    next[k] = v;
  }
  return next;
}

/** Rows strictly before `since` (delete since T, to redo a forgotten flow). */
export function deleteCapitalSince(rows: CapitalRow[], since: number): CapitalRow[] {
  return rows.filter((r) => r.timestamp < since);
}
