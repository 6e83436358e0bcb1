/**
 * `systack recover`: the reference's crash-recovery procedure ("Recovering from a crash") as a
 * guided command (`actors/recovery.ts`): restore a backup if asked, then check storage, process
 * control and the broker, end the day on the stale stacks, balance each position break, rerun
 * the day's missed updates. Asks at each step (@inquirer/prompts); `--yes` answers every
 * question yes (balance trades at the broker's execution price; a break with none is left).
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { productionRegistry } from '../../../actors/process-methods.ts';
import { backupBase } from '../../../actors/process-methods/backups.ts';
import { type RecoveryPrompts, recoverSystem } from '../../../actors/recovery.ts';
import { resolveProcessClock } from '../../../actors/supervisor/clock-sync.ts';
import { controlConfigOf } from '../../../actors/supervisor/control-config.ts';
import { ProcessStore } from '../../../actors/supervisor/process-store.ts';
import { wallClock } from '../../clock.ts';
import { loadConfig } from '../../config/load.ts';
import { printResult, UsageError } from '../output.ts';
import { restoreBackup, withSystemBus } from './restore.ts';

interface Opts {
  yes?: boolean;
  restore?: string;
  replace?: boolean;
  updates: string;
  natsUrl?: string;
  json?: boolean;
}

type Inquirer = typeof import('@inquirer/prompts');

const yesToAll: RecoveryPrompts = {
  confirm: async () => true,
  balance: async (_what, p) => (p.price === undefined ? undefined : p),
};

function asking(q: Inquirer): RecoveryPrompts {
  return {
    confirm: (message) => q.confirm({ message, default: true }),
    balance: async (what, p, strategies) => {
      const level = p.contractDate !== undefined ? 'balance trade' : 'balance instrument trade';
      if (!(await q.confirm({ message: `Break ${what}. Book a ${level} of ${p.qty}?`, default: true })))
        return undefined;
      const strategyName = await q.select({
        message: 'strategy',
        choices: strategies.map((s) => ({ name: s, value: s })),
        default: p.strategyName,
      });
      const price = await q.number({
        message: 'fill price (from the broker)',
        ...(p.price !== undefined ? { default: p.price } : {}),
        required: true,
      });
      return { ...p, strategyName, price };
    },
  };
}

/** The dated backup folders, newest first. */
async function backupFolders(): Promise<string[]> {
  const base = backupBase({ system: loadConfig().system });
  if (!existsSync(base)) return [];
  return (await readdir(base))
    .filter((n) => /^\d{4}-\d{2}-\d{2}$/.test(n))
    .sort()
    .reverse()
    .map((n) => join(base, n));
}

function updatesOf(v: string): 'missed' | 'none' | string[] {
  if (v === 'missed' || v === 'none') return v;
  const list = v.split(',').map((s) => s.trim());
  if (list.some((s) => !/^run_[a-z_]+$/.test(s)))
    throw new UsageError(
      `--updates must be missed, none or a comma-separated list of run_* processes, got '${v}'`,
    );
  return list;
}

export function register(program: Command): void {
  program
    .command('recover')
    .description(
      "Guided crash recovery (the reference's procedure): restore if asked, check storage, processes and the broker, end of day on the stale stacks, balance trades for position breaks, rerun the day's missed updates",
    )
    .option(
      '--yes',
      'answer yes to every question (no prompts): balance trades at the price of the broker executions',
    )
    .option('--restore <folder>', 'first restore this backup (a dated backup folder) onto an empty store')
    .option('--replace', 'with --restore: replace what the store holds')
    .option(
      '--updates <which>',
      'updates to rerun: missed, none, or a list (run_capital_update,run_systems)',
      'missed',
    )
    .option('--nats-url <url>', 'NATS server (default: config, the running system, or embedded on data_dir)')
    .option('--json', 'print JSON')
    .action(async (o: Opts) => {
      const updates = updatesOf(o.updates);
      if (!o.yes && !process.stdin.isTTY)
        throw new UsageError('recover asks questions: run it in a terminal, or pass --yes');
      const q: Inquirer | undefined = o.yes ? undefined : await import('@inquirer/prompts');
      let restore = o.restore;
      let replace = o.replace ?? false;
      if (q && restore === undefined) {
        const folders = await backupFolders();
        if (
          folders.length > 0 &&
          (await q.confirm({ message: 'Restore from a backup first?', default: false }))
        ) {
          restore = await q.select({
            message: 'backup',
            choices: folders.map((f) => ({ name: f, value: f })),
          });
          replace = await q.confirm({ message: 'Replace what the store holds now?', default: false });
        }
      }
      try {
        await withSystemBus(o.natsUrl, 'recover', async ({ nc, config, prefix, log }) => {
          const restored = restore
            ? await restoreBackup(nc, restore, { replace, prefix, mongoDb: config.system.mongo_db })
            : undefined;
          const clock = await resolveProcessClock(process.env, await ProcessStore.open(nc, prefix));
          const steps = await recoverSystem({
            nc,
            prefix,
            system: config.system,
            control: controlConfigOf(config),
            clock,
            log,
            wallNow: wallClock.now(),
            host: process.env.SYSTACK_HOST ?? hostname(),
            prompts: q ? asking(q) : yesToAll,
            updates,
            registry: productionRegistry,
          });
          if (restored)
            steps.unshift({
              step: 'restore',
              did: `${restore}: ${restored.reduce((n, p) => n + p.records, 0)} records into ${restored.length} streams / collections, every digest matching`,
            });
          printResult(steps, { json: o.json, columns: ['step', 'did'] });
        });
      } catch (err) {
        // Ctrl-C or Ctrl-D at a prompt stops the recovery where it is.
        if (err instanceof Error && err.name === 'ExitPromptError') return;
        throw err;
      }
    });
}
