/**
 * The shipped control configuration (digest §4 P2, the code's `syscontrol/control_config.yaml`,
 * with the doc's method table). Start times as shipped; stop times all 23:50 except
 * run_stack_handler 19:45 and run_capital_update 19:50 (the code, not the doc's 19:30 for the
 * order generator, which never ran because of it: #640). Strategy "methods" of run_systems and
 * run_strategy_order_generator belong in the private control config (P12).
 */
import type { RawControlConfig } from './config.ts';

const once = { max_executions: 1 };
const always = { frequency: 0, max_executions: -1 };

export const SHIPPED_CONTROL_CONFIG: RawControlConfig = {
  process_configuration_start_time: {
    default: '00:01',
    run_stack_handler: '00:01',
    run_capital_update: '01:00',
    run_daily_prices_updates: '20:00',
    run_systems: '20:05',
    run_strategy_order_generator: '20:10',
    run_backups: '20:15',
    run_cleaners: '20:20',
    run_reports: '20:25',
  },
  process_configuration_stop_time: {
    default: '23:50',
    run_stack_handler: '19:45',
    run_capital_update: '19:50',
  },
  process_configuration_previous_process: {
    run_systems: 'run_daily_prices_updates',
    run_strategy_order_generator: 'run_systems',
    run_cleaners: 'run_strategy_order_generator',
    run_backups: 'run_cleaners',
    run_reports: 'run_strategy_order_generator',
  },
  process_configuration_methods: {
    run_capital_update: {
      update_total_capital: { frequency: 120, max_executions: 10 },
      strategy_allocation: once,
    },
    run_daily_prices_updates: {
      update_fx_prices: once,
      update_sampled_contracts: once,
      update_historical_prices: once,
      update_multiple_adjusted_prices: once,
    },
    run_stack_handler: {
      check_external_position_break: always,
      spawn_children_from_new_instrument_orders: always,
      generate_force_roll_orders: { frequency: 0, max_executions: 1 },
      create_broker_orders_from_contract_orders: always,
      process_fills_stack: always,
      handle_completed_orders: always,
      safe_stack_removal: { run_on_completion_only: true },
      refresh_additional_sampling_all_instruments: { frequency: 60, max_executions: -1 },
    },
    run_reports: {
      status_report: once,
      roll_report: once,
      daily_pandl_report: once,
      reconcile_report: once,
      trade_report: once,
    },
    run_backups: {
      backup_db_to_csv: once,
      backup_files: once,
      backup_jetstream: once,
      backup_mongo_data_as_dump: once,
    },
    run_cleaners: { clean_backtest_states: once, clean_echo_files: once, clean_log_files: once },
    run_systems: {},
    run_strategy_order_generator: {},
  },
  process_restart_policy: {
    default: 'never',
    run_stack_handler: { policy: 'on-crash', max_restarts: 3 },
    run_capital_update: { policy: 'on-crash', max_restarts: 3 },
  },
};
