/**
 * run_cleaners' methods (production doc "Clean up old logs", "Truncate echo files", "Delete old
 * pickled backtest state objects").
 */
import { existsSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { cleanEchoDirectory } from '../../src/log/echo-files.ts';
import type { MethodContext } from '../process-methods.ts';
import { openLogStore } from '../store/log-store.ts';

const DAY_MS = 86_400_000;

/** Delete log entries older than `log_retention_days` (default a month). */
export async function cleanLogFiles(ctx: MethodContext): Promise<void> {
  const days = Number(ctx.args.days ?? ctx.system.log_retention_days ?? 30);
  const deleted = await (await openLogStore(ctx.nc, ctx.prefix)).clean(days, ctx.clock.now());
  ctx.log.info({ deleted, days }, 'cleaned log entries');
}

/**
 * Echo files (`<name><echo_extension>` in `echo_directory`) from yesterday and before are
 * renamed with a date suffix; anything older than `echo_retention_days` (the method's `days`
 * argument first; default 30) is deleted.
 */
export async function cleanEchoFiles(ctx: MethodContext): Promise<void> {
  const dir = resolve(ctx.system.echo_directory);
  const keepDays = Number(ctx.args.days ?? ctx.system.echo_retention_days ?? 30);
  if (!existsSync(dir)) {
    ctx.log.info({ dir }, 'no echo directory: nothing to clean');
    return;
  }
  const { renamed, deleted } = await cleanEchoDirectory(
    dir,
    ctx.system.echo_extension,
    ctx.clock.now(),
    keepDays,
  );
  ctx.log.info({ dir, renamed, deleted, days: keepDays }, 'cleaned echo files');
}

/** Pickled backtests and their configs are large: delete anything more than 5 days old. */
export async function cleanBacktestStates(ctx: MethodContext): Promise<void> {
  const dir = resolve(ctx.system.backtest_store_directory);
  const keepDays = Number(ctx.args.days ?? 5);
  if (!existsSync(dir)) return;
  const now = ctx.clock.now();
  let deleted = 0;
  for (const f of await readdir(dir, { recursive: true })) {
    const path = join(dir, f);
    const s = await stat(path).catch(() => undefined);
    if (s?.isFile() && now - s.mtimeMs > keepDays * DAY_MS) {
      await rm(path);
      deleted++;
    }
  }
  ctx.log.info({ dir, deleted }, 'cleaned backtest states');
}
