/**
 * The interactive roll tool's decisions (digest §3.4; pysystemtrade
 * `interactive_update_roll_status.py`): apply one chosen state to one instrument (Roll_Adjusted
 * runs the price roll with its backup), and the fully automatic mode's rule: take the suggested
 * state when the rule decides one, the table allows it and it is a change; otherwise say why not.
 */
import type { RollStatusRow } from '../../src/domain/rolls/roll-report.ts';
import { type RollState, whyRollChangeRefused } from '../../src/domain/rolls/roll-state.ts';
import type { PriceRollResult } from '../../src/domain/prices/price-roll.ts';
import type { PriceFrequency, PriceStore } from '../../src/store/price-store.ts';
import type { PriceLog } from '../prices/deps.ts';
import { rollAdjustedPrices } from './price-roll.ts';
import { changeRollState, type RollContext, RollChangeRefused } from './roll-status-host.ts';

export interface RollToolDeps {
  store: PriceStore;
  log: PriceLog;
  intradayFrequency: PriceFrequency;
  dataDir: string;
}

export interface RollToolOutcome {
  instrument_code: string;
  from: RollState;
  to: RollState | 'Ask';
  /** The state stored after this step. */
  roll_state: RollState;
  done: boolean;
  note: string;
}

/** Apply `to` to an instrument (a change through its machine; Roll_Adjusted also rolls prices). */
export async function applyRollState(
  ctx: RollContext,
  deps: RollToolDeps,
  row: RollStatusRow,
  to: RollState,
  opts: { by: string; confirmPriceRoll?: (r: PriceRollResult) => Promise<boolean> },
): Promise<RollToolOutcome> {
  const base = { instrument_code: row.instrument_code, from: row.status, to };
  if (to === row.status) return { ...base, roll_state: to, done: false, note: 'unchanged' };
  if (to === 'Roll_Adjusted') {
    const r = await rollAdjustedPrices(ctx, deps, row.instrument_code, {
      by: opts.by,
      confirm: opts.confirmPriceRoll,
    });
    return {
      ...base,
      roll_state: r.record.roll_state,
      done: r.rolled,
      note: r.rolled
        ? `price series rolled to ${r.newContracts?.price ?? '?'}; old series in ${r.backup}`
        : `price roll not done (${r.reason ?? 'unknown'})`,
    };
  }
  const { record } = await changeRollState(ctx, row.instrument_code, to, opts.by);
  return { ...base, roll_state: record.roll_state, done: true, note: 'changed' };
}

/** Fully automatic mode: the rule's state, when it decides one that the table allows. */
export function automaticDecision(row: RollStatusRow): { to: RollState } | { skip: string } {
  const to = row.suggested;
  if (to === 'Ask')
    return { skip: 'the rule leaves this to a person (default_roll_state_if_undecided: Ask)' };
  if (to === row.status) return { skip: 'already in the suggested state' };
  const refused = whyRollChangeRefused(row.status, to, row.position_priced);
  return refused ? { skip: refused } : { to };
}

/** One instrument in the fully automatic mode: the rule's state applied, or why not (a refusal included). */
export async function automaticRoll(
  ctx: RollContext,
  deps: RollToolDeps,
  row: RollStatusRow,
): Promise<RollToolOutcome | { instrument_code: string; from: RollState; note: string }> {
  const d = automaticDecision(row);
  if ('skip' in d) return { instrument_code: row.instrument_code, from: row.status, note: d.skip };
  try {
    return await applyRollState(ctx, deps, row, d.to, { by: 'auto' });
  } catch (err) {
    if (!(err instanceof RollChangeRefused)) throw err;
    return { instrument_code: row.instrument_code, from: row.status, note: err.message };
  }
}
