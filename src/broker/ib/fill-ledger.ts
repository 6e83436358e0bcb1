/**
 * The IB adapter's fills, keyed by execId (stack-notes §1.3): a repeated execId is dropped; a
 * correction (same execId up to the last `.`, a higher suffix: `.01` → `.02`) replaces the values
 * of the fill it corrects, which keeps its first execId (so no consumer deduplicating by execId
 * counts it twice) and names the correction in `correctedBy`; commissions are joined by execId
 * whether they come before or after their execution.
 */
import type { BrokerEvent, BrokerFill } from '../port.ts';
import { fillsSince } from '../orders.ts';

/** `0000e0d5.6571a1f3.01.01` → prefix `0000e0d5.6571a1f3.01`, revision 1. */
export function splitExecId(execId: string): { prefix: string; revision: number } {
  const dot = execId.lastIndexOf('.');
  if (dot < 0) return { prefix: execId, revision: 0 };
  const rev = Number(execId.slice(dot + 1));
  return Number.isFinite(rev)
    ? { prefix: execId.slice(0, dot), revision: rev }
    : { prefix: execId, revision: 0 };
}

export class IbFillLedger {
  /** Current fill per execId prefix (a correction replaces the earlier revision's values). */
  private readonly byPrefix = new Map<string, BrokerFill>();
  private readonly seen = new Set<string>();
  private readonly commissions = new Map<string, { commission: number; currency: string }>();

  /**
   * An execution already accounted for: its events (none for a repeat or an older revision, a
   * `fill-corrected` for a correction). Undefined for a new execution: `add` its fill.
   */
  known(e: { execId: string; qty: number; price: number; time: number }): BrokerEvent[] | undefined {
    if (this.seen.has(e.execId)) return [];
    this.seen.add(e.execId);
    const { prefix, revision } = splitExecId(e.execId);
    const prior = this.byPrefix.get(prefix);
    if (!prior) return undefined;
    const latest = prior.correctedBy ?? prior.execId;
    if (splitExecId(latest).revision > revision) return [];
    Object.assign(prior, { qty: e.qty, price: e.price, time: e.time, correctedBy: e.execId });
    delete prior.commission;
    delete prior.commissionCurrency;
    this.joinCommission(prior, e.execId);
    return [{ type: 'fill-corrected', fill: { ...prior } }];
  }

  /** A new execution's fill (its commission joined if it came first). */
  add(fill: BrokerFill): BrokerFill {
    this.joinCommission(fill, fill.execId);
    this.byPrefix.set(splitExecId(fill.execId).prefix, fill);
    return fill;
  }

  /** A commission report: attached to its fill, or kept until the fill arrives. */
  commission(execId: string, commission: number, currency: string): BrokerEvent[] {
    if (this.commissions.has(execId)) return [];
    this.commissions.set(execId, { commission, currency });
    const fill = this.byPrefix.get(splitExecId(execId).prefix);
    if (!fill || (fill.correctedBy ?? fill.execId) !== execId) return [];
    fill.commission = commission;
    fill.commissionCurrency = currency;
    // Reported under the fill's identity (its first execId).
    return [{ type: 'commission', execId: fill.execId, commission, currency }];
  }

  /** Current fills (corrections applied), from a time on. */
  fills(since: number): BrokerFill[] {
    return fillsSince(this.byPrefix.values(), since);
  }

  private joinCommission(fill: BrokerFill, execId: string): void {
    const c = this.commissions.get(execId);
    if (c) Object.assign(fill, { commission: c.commission, commissionCurrency: c.currency });
  }
}
