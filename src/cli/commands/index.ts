import type { Command } from 'commander';
import { register as backup } from './backup.ts';
import { register as capital } from './capital.ts';
import { register as config } from './config.ts';
import { register as control } from './control.ts';
import { register as controlStrategy } from './control-strategy.ts';
import { register as controlTradeLimits } from './control-trade-limits.ts';
import { register as ib } from './ib.ts';
import { register as logs } from './logs.ts';
import { register as machines } from './machines.ts';
import { register as orders } from './orders.ts';
import { register as prices } from './prices.ts';
import { register as report } from './report.ts';
import { register as roll } from './roll.ts';
import { register as run } from './run.ts';
import { register as start } from './start.ts';
import { register as status } from './status.ts';
import { register as strategy } from './strategy.ts';
import { register as supervise } from './supervise.ts';
import { register as update } from './update.ts';

/** Every command group of the `systack` CLI. Each file registers only commands that work. */
export const commandGroups: Array<(program: Command) => void> = [
  start,
  supervise,
  run,
  status,
  config,
  logs,
  capital,
  control,
  controlStrategy,
  controlTradeLimits,
  update,
  strategy,
  prices,
  machines,
  orders,
  report,
  ib,
  backup,
  roll,
];
