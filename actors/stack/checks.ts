import type { StackCore } from './core.ts';
import { logCritical } from './ports.ts';
import { contractPositionKey } from './types.ts';

export interface BreakReport {
  breaks: Array<{ instrumentCode: string; contractDate: string; ours: number; broker: number }>;
  locked: string[];
  unlocked: string[];
}

/**
 * check_external_position_break (H1): compare our contract positions with the broker's (a missing
 * one counts as 0). Lock every instrument with a break (critical log when newly locked); unlock
 * every instrument we locked for a break that no longer has one. Manual locks are left alone
 * (the reference unlocks any lock here, which makes a manual lock useless while the handler runs).
 */
export async function checkExternalPositionBreak(
  core: StackCore,
  reconcile?: () => Promise<void>,
): Promise<BreakReport> {
  let report = await compare(core);
  // Fills in flight (reported by the broker, not yet written by us) are not a break: record every
  // unseen broker fill first, then compare again; only a break that survives is one.
  if (report.breaks.length > 0 && reconcile) {
    await reconcile();
    report = await compare(core);
  }
  return lockAndUnlock(core, report);
}

async function compare(core: StackCore): Promise<BreakReport> {
  const brokerPositions = await core.deps.broker.positions();
  const theirs = new Map<string, { instrumentCode: string; contractDate: string; position: number }>();
  for (const p of brokerPositions) theirs.set(contractPositionKey(p.instrumentCode, p.contractDate), p);
  const keys = new Set([...theirs.keys(), ...core.contractPositions.keys()]);
  const report: BreakReport = { breaks: [], locked: [], unlocked: [] };
  for (const k of keys) {
    const ours = core.contractPositions.get(k) ?? 0;
    const b = theirs.get(k)?.position ?? 0;
    if (ours === b) continue;
    const [instrumentCode = '', contractDate = ''] = k.split('/');
    report.breaks.push({ instrumentCode, contractDate, ours, broker: b });
  }
  return report;
}

/**
 * Each instrument's comparison goes to its lock actor (instrument-lock machine): it locks on a
 * break, unlocks a break lock when the positions agree, and leaves a manual lock alone.
 */
async function lockAndUnlock(core: StackCore, report: BreakReport): Promise<BreakReport> {
  const ours = new Map<string, Record<string, number>>();
  const theirs = new Map<string, Record<string, number>>();
  const of = (m: Map<string, Record<string, number>>, k: string): Record<string, number> => {
    const r = m.get(k) ?? {};
    m.set(k, r);
    return r;
  };
  for (const b of report.breaks) {
    of(ours, b.instrumentCode)[b.contractDate] = b.ours;
    of(theirs, b.instrumentCode)[b.contractDate] = b.broker;
  }
  // Instruments with a break, and those whose lock actor may need to hear that positions agree.
  const codes = new Set([...ours.keys(), ...core.lockActors.instruments()]);
  for (const i of [...codes].sort()) {
    const c = await core.lockActors.compared(i, ours.get(i) ?? {}, theirs.get(i) ?? {});
    for (const e of c.emitted) {
      if (e.type === 'locked' && e.cause === 'positionBreak') {
        report.locked.push(i);
        logCritical(core.log, 'position break: instrument locked', { instrument_code: i, reason: e.reason });
      } else if (e.type === 'unlocked' && e.cause === 'positionsAgree') {
        report.unlocked.push(i);
        core.log.info({ instrument_code: i }, 'position break cleared: instrument unlocked');
      }
    }
  }
  return report;
}
