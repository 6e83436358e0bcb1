import type { Command } from 'commander';
import { register as registerPrices } from './prices.ts';

/** Every command group of the `systack` CLI. Each file registers only commands that work. */
export const commandGroups: Array<(program: Command) => void> = [registerPrices];
