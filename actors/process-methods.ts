/**
 * The method registry: process name → method name → async function (digest §4 P2
 * `process_configuration_methods`). The runner looks methods up here; tests inject their own
 * registry. Other parts of systack (stack handler, price updates, capital, systems, order
 * generator, reports) add their methods to `productionRegistry` when they land.
 */
import {
  backupDbToCsv,
  backupFiles,
  backupJetstream,
  backupMongoDataAsDump,
} from './process-methods/backups.ts';
import { cleanBacktestStates, cleanEchoFiles, cleanLogFiles } from './process-methods/cleaners.ts';
import { strategyProcessMethods } from './process-methods/index.ts';
import { reportMethods } from './process-methods/reports.ts';
import { prepareStackHandler, stackHandlerProcessMethods } from './process-methods/stack-handler.ts';
import type { MethodRegistry, ProcessMethod } from './process-methods/types.ts';

export type { MethodContext, MethodRegistry, ProcessMethod } from './process-methods/types.ts';

/**
 * Production methods. run_capital_update, run_daily_prices_updates, run_systems and
 * run_strategy_order_generator come from `process-methods/index.ts` (the strategy tables answer
 * any strategy name: kept as values, never spread); run_stack_handler's from
 * `process-methods/stack-handler.ts`; run_reports' from `process-methods/reports.ts`.
 */
export const productionRegistry: MethodRegistry = {
  ...strategyProcessMethods,
  run_stack_handler: stackHandlerProcessMethods(),
  run_cleaners: {
    clean_backtest_states: cleanBacktestStates,
    clean_echo_files: cleanEchoFiles,
    clean_log_files: cleanLogFiles,
  },
  run_backups: {
    backup_db_to_csv: backupDbToCsv,
    backup_files: backupFiles,
    backup_jetstream: backupJetstream,
    backup_mongo_data_as_dump: backupMongoDataAsDump,
  },
  run_reports: reportMethods(),
};

/**
 * What a warm child (actors/supervisor/warm-children.ts) does before it owns its lease: reads
 * only. A process without an entry only loads, connects and opens process control.
 */
export const productionPreparations: Record<string, ProcessMethod> = {
  run_stack_handler: prepareStackHandler,
};

/** Methods a process's config names that the registry lacks. */
export function missingMethods(
  registry: MethodRegistry,
  process: string,
  methods: readonly string[],
): string[] {
  const known = registry[process] ?? {};
  return methods.filter((m) => !(m in known));
}
