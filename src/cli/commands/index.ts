import type { Command } from 'commander';

/** Every command group of the `systack` CLI. Each file registers only commands that work. */
export const commandGroups: Array<(program: Command) => void> = [];
