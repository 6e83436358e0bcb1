import type { Command } from 'commander';
import { register as config } from './config.ts';
import { register as control } from './control.ts';
import { register as logs } from './logs.ts';
import { register as run } from './run.ts';
import { register as start } from './start.ts';
import { register as status } from './status.ts';
import { register as supervise } from './supervise.ts';

/** Every command group of the `systack` CLI. Each file registers only commands that work. */
export const commandGroups: Array<(program: Command) => void> = [start, status, config, logs, supervise, run, control];
