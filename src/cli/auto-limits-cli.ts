/**
 * What the two auto-populate commands (`control limits auto-populate`, `control trade-limits
 * auto-populate`) share: the reference's risk multiplier questions as options, a bad figure
 * reported with its flag, and the confirmation before anything is written.
 */
import type { Command } from 'commander';
import { AUTO_LIMIT_DEFAULTS, AutoLimitInputError } from '../domain/strategy-orders/auto-position-limits.ts';
import { UsageError } from './output.ts';

/** `--risk-target`, `--idm`, `--instrument-weight` with the reference's defaults. */
export function riskMultiplierOptions(cmd: Command): Command {
  return cmd
    .option(
      '--risk-target <fraction>',
      'notional risk target per year (0.25 = 25%)',
      String(AUTO_LIMIT_DEFAULTS.riskTarget),
    )
    .option('--idm <n>', 'approximate instrument diversification multiplier', String(AUTO_LIMIT_DEFAULTS.idm))
    .option(
      '--instrument-weight <fraction>',
      'notional instrument weight (go large for safety)',
      String(AUTO_LIMIT_DEFAULTS.instrumentWeight),
    );
}

const FLAGS: Record<string, string> = {
  riskTarget: '--risk-target',
  idm: '--idm',
  instrumentWeight: '--instrument-weight',
  tradeMultiplier: '--trade-multiplier',
  periodDays: '--days',
};

/** Check the figures; a bad one is a usage error naming its flag (nothing read or written). */
export function checkedFigures<P>(p: P, check: (p: P) => void): P {
  try {
    check(p);
  } catch (err) {
    if (err instanceof AutoLimitInputError)
      throw new UsageError(err.message.replace(/^\w+/, (k) => FLAGS[k] ?? k));
    throw err;
  }
  return p;
}

/** `--yes`, or a yes on a terminal; off a terminal without `--yes`, no. */
export async function confirmedWrite(yes: boolean | undefined, what: string): Promise<boolean> {
  if (yes) return true;
  if (!process.stdin.isTTY) return false;
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message: `Write these ${what}?`, default: false });
}
