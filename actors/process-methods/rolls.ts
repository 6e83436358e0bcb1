/**
 * The roll tool's fully automatic mode as a process method (`update_roll_status`; digest §3.4, the
 * fourth mode of `interactive_update_roll_status`): the reference only runs it by hand, so it is in
 * no process by default; list it under run_daily_prices_updates (after the prices, before the
 * systems read them) or run_stack_handler (before generate_force_roll_orders) in the control
 * config's `process_configuration_methods` to roll unattended. Each instrument due (min of days to roll, to price
 * expiry and to carry expiry ≤ the method argument `days`, default 10) gets the state the rule
 * suggests (thresholds in config `roll_status_auto_update`) where the rule decides one and the
 * table allows it; Roll_Adjusted rolls the multiple and adjusted series (with the CSV backup).
 * An instrument with an order on the stack is left for the next run: its zero priced position may
 * be about to change (a working contract order), and a price roll under it would leave the fill in
 * the old contract. Run on completion of run_stack_handler (after its end-of-day removal) it sees
 * the day's final positions.
 */
import { readRollReport } from '../rolls/roll-report.ts';
import { automaticRoll } from '../rolls/roll-tool.ts';
import { priceLogFrom } from '../price-updates.ts';
import { dueForRoll } from '../../src/domain/rolls/roll-report.ts';
import { openPriceStore } from '../../src/store/backend.ts';
import type { MethodContext, ProcessMethod } from './types.ts';
import { openOrderJournal } from '../store/open-order-journal.ts';
import type { AnyOrder } from '../stack/types.ts';

/** `<level> <id> <state>` of an order, as the automatic mode names the orders it waits for. */
export const orderTag = (o: AnyOrder): string => `${o.level} ${o.id} ${o.state}`;

/** Active orders (any level) on the stack by instrument, from the stack stream. */
async function activeOrdersByInstrument(ctx: MethodContext): Promise<Map<string, string[]>> {
  const stack = await (await openOrderJournal(ctx.nc, ctx.prefix)).loadStack<{ record?: AnyOrder }>();
  const out = new Map<string, string[]>();
  for (const { data } of stack)
    if (data.record?.active)
      out.set(data.record.instrumentCode, [
        ...(out.get(data.record.instrumentCode) ?? []),
        orderTag(data.record),
      ]);
  return out;
}

/** The `days` argument: a whole number of days ≥ 0 (default 10, the reference's). */
function dueDays(ctx: MethodContext): number {
  const v = ctx.args.days ?? 10;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new Error(
      `${ctx.process}.${ctx.method}: argument days must be a whole number ≥ 0, got ${String(v)}`,
    );
  return v;
}

/**
 * The automatic mode over the instruments due; `ordersOf` names an instrument's active orders on
 * the stack (the stack handler answers from its own stacks, any other process from the stream).
 */
export async function updateRollStatus(
  ctx: MethodContext,
  ordersOf: (instrumentCode: string) => string[],
): Promise<void> {
  const days = dueDays(ctx);
  const rctx = { nc: ctx.nc, prefix: ctx.prefix, clock: ctx.clock };
  const deps = {
    store: await openPriceStore(ctx.nc, ctx.prefix),
    log: priceLogFrom(ctx.log),
    intradayFrequency: ctx.system.intraday_frequency,
    dataDir: ctx.system.data_dir,
  };
  const report = await readRollReport(
    ctx.nc,
    ctx.prefix,
    ctx.clock.now(),
    ctx.system.roll_status_auto_update,
  );
  const outcomes = [];
  for (const row of report.filter((r) => dueForRoll(r, days))) {
    const working = ordersOf(row.instrument_code);
    outcomes.push(
      working.length > 0
        ? {
            instrument_code: row.instrument_code,
            from: row.status,
            note: `orders on the stack (${working.join(', ')}): next run`,
          }
        : await automaticRoll(rctx, deps, row),
    );
  }
  ctx.log.info({ component: 'rolls', days, outcomes }, `update_roll_status: ${outcomes.length} due`);
}

/** update_roll_status for a process other than the stack handler (orders read from the stack stream). */
export function rollMethods(): Record<string, ProcessMethod> {
  return {
    update_roll_status: async (ctx) => {
      const active = await activeOrdersByInstrument(ctx);
      await updateRollStatus(ctx, (code) => active.get(code) ?? []);
    },
  };
}
