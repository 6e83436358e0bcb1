import type { Command } from 'commander';

/** A module of the CLI that registers one or more top-level commands. */
export type Register = (program: Command) => void;

/**
 * Every top-level command of the `systack` CLI with its one-line summary and the module that
 * registers it. Modules are imported only when their command runs (or for full help), so
 * `systack --help` and a NATS query load only what they use. Each summary equals the command's
 * description (test/unit/cli-lazy.test.ts checks).
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<Register[]>;
}

export const commandTable: CommandEntry[] = [
  {
    name: 'start',
    summary:
      'Run the whole system on embedded defaults (sample data, simulated clock; the simulated broker unless broker: ib)',
    load: async () => [(await import('./start.ts')).register],
  },
  {
    name: 'supervise',
    summary: 'Run the supervisor: launch run_* processes on schedule, process control, monitor page',
    load: async () => [(await import('./supervise.ts')).register],
  },
  {
    name: 'run',
    summary: 'Run one process (run_stack_handler, run_systems, ...) within its window and status',
    load: async () => [(await import('./run.ts')).register],
  },
  {
    name: 'status',
    summary:
      'Show the running system: NATS server, streams, KV buckets, object stores, services with endpoints, processes',
    load: async () => [(await import('./status.ts')).register],
  },
  {
    name: 'config',
    summary: 'Show and check the configuration',
    load: async () => [(await import('./config.ts')).register],
  },
  {
    name: 'logs',
    summary: 'Show log lines of every process, filtered by attribute, level and lookback',
    load: async () => [(await import('./logs.ts')).register],
  },
  {
    name: 'clean',
    summary: 'Remove old data (log lines)',
    load: async () => [(await import('./logs.ts')).register],
  },
  {
    name: 'capital',
    summary: 'Total capital, flows and strategy capital',
    load: async () => [(await import('./capital.ts')).register],
  },
  {
    name: 'control',
    summary:
      'Process control (statuses, finished flags, configuration), position limits and overrides, trade limits, broker client ids',
    load: async () => [
      (await import('./control.ts')).register,
      (await import('./control-strategy.ts')).register,
      (await import('./control-auto-limits.ts')).register,
      (await import('./control-trade-limits.ts')).register,
      (await import('./control-auto-trade-limits.ts')).register,
      (await import('./ib.ts')).register,
    ],
  },
  {
    name: 'update',
    summary: 'Run the nightly strategy jobs now',
    load: async () => [(await import('./update.ts')).register],
  },
  {
    name: 'strategy',
    summary: 'Stored optimal positions, system diagnostics and strategy actor states',
    load: async () => [
      (await import('./strategy.ts')).register,
      (await import('./strategy-backtest.ts')).register,
    ],
  },
  {
    name: 'diagnostics',
    summary: 'Instrument and contract configuration (interactive_diagnostics)',
    load: async () => [(await import('./diagnostics.ts')).register],
  },
  {
    name: 'prices',
    summary: 'Price data: import, back-adjust, list, show, manual spike check',
    load: async () => [(await import('./prices.ts')).register],
  },
  {
    name: 'machines',
    summary:
      'The state machines (orders, algos, instrument locks, rolls, strategies, IB connection): list, draw, export',
    load: async () => [(await import('./machines.ts')).register],
  },
  {
    name: 'orders',
    summary:
      'Order stacks: view, create, fill, balance, cancel, lock, delete, end of day, force roll orders, cash FX trades',
    load: async () => [(await import('./orders.ts')).register, (await import('./orders-manual.ts')).register],
  },
  {
    name: 'report',
    summary:
      'Reports (slippage_report, costs_report, roll_report, daily_pandl_report, reconcile_report, trade_report, strategy_report, risk_report, status_report, liquidity_report, instrument_risk_report, minimum_capital_report, duplicate_markets_report, remove_markets_report, market_monitor_report, account_curve_report)',
    load: async () => [(await import('./report.ts')).register],
  },
  {
    name: 'email',
    summary: 'Stored emails (not sent: duplicates, no config) and the outbox',
    load: async () => [(await import('./email.ts')).register],
  },
  {
    name: 'ib',
    summary: 'Interactive Brokers (TWS / IB Gateway)',
    load: async () => [(await import('./ib.ts')).register],
  },
  {
    name: 'interactive',
    summary:
      "Interactive menus as the reference's interactive_* scripts (controls, order_stack, diagnostics, update_capital_manual, manual_check_historical_prices, manual_check_fx_prices)",
    load: async () => [(await import('./interactive.ts')).register],
  },
  {
    name: 'backup',
    summary: 'Backups of the whole system (run_backups)',
    load: async () => [(await import('./backup.ts')).register],
  },
  {
    name: 'restore',
    summary:
      'Restore a backup (a dated backup folder, its jetstream/, or with storage_backend: mongodb its mongo_dump/) onto an empty store; starts the embedded nats-server on data_dir when no system is running',
    load: async () => [(await import('./restore.ts')).register],
  },
  {
    name: 'recover',
    summary:
      "Guided crash recovery (the reference's procedure): restore if asked, check storage, processes and the broker, end of day on the stale stacks, balance trades for position breaks, rerun the day's missed updates",
    load: async () => [(await import('./recover.ts')).register],
  },
  {
    name: 'migrate',
    summary:
      'Copy all data between JetStream and MongoDB (mongo_host / mongo_port / mongo_db), then check counts and checksums; idempotent; run with the system stopped',
    load: async () => [(await import('./migrate.ts')).register],
  },
  {
    name: 'roll',
    summary:
      "Roll status per instrument (No_Roll, Passive, Force, Force_Outright, Close, No_Open, Roll_Adjusted); 'systack roll <instrument>' picks a state by hand",
    load: async () => [(await import('./roll.ts')).register],
  },
];

/** Every command module, loaded (for full help and tests). */
export async function loadAllCommands(): Promise<Register[]> {
  const out: Register[] = [];
  for (const entry of commandTable) for (const r of await entry.load()) if (!out.includes(r)) out.push(r);
  return out;
}
