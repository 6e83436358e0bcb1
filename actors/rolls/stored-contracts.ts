/**
 * The stack handler's contract resolver from stored state: per instrument, the priced and forward
 * contracts of the last multiple-prices row and the roll state stored by the roll status actors
 * (KV `<PREFIX>_ROLL_STATUS`; no record is No_Roll). `refresh` re-reads the states every time and
 * an instrument's contracts when its record changed (or on a full refresh), so a roll state set
 * during the day and a price roll (Roll_Adjusted → new priced contract) reach the next spawn
 * without reading every price series on every pass; it also runs C2 (`check_and_auto_update_roll_state`): Force, Force_Outright or Close with a zero
 * priced-contract position becomes Passive (critical log), through the instrument's machine.
 */
import { requiresOrderGeneration, type RollState } from '../../src/domain/rolls/roll-state.ts';
import type { PriceStore } from '../../src/store/price-store.ts';
import { type ContractResolver, logCritical, type StackLogger, staticContracts } from '../stack/ports.ts';
import { autoUpdateRollStatus, readRollStatuses, type RollContext } from './roll-status-host.ts';

interface Row {
  priced: string;
  forward?: string;
  rollState?: RollState;
}

export class StoredRollContracts implements ContractResolver {
  private table: Record<string, Row> = {};
  /** KV revision of each instrument's stored record at the last read (undefined: never read). */
  private seen: Map<string, number | null> | undefined;
  private resolver: ContractResolver = staticContracts({});

  private constructor(
    private readonly ctx: RollContext,
    private readonly prices: PriceStore,
    private readonly log: StackLogger,
  ) {}

  static async open(ctx: RollContext, prices: PriceStore, log: StackLogger): Promise<StoredRollContracts> {
    const r = new StoredRollContracts(ctx, prices, log);
    await r.refresh();
    return r;
  }

  /**
   * Re-read the roll states (one KV scan) and, with `full` or for an instrument whose stored
   * record changed since the last read (a price roll moves the priced contract only through
   * Roll_Adjusted), its contracts from the multiple prices. With `pricedPosition` (the stack's
   * contract positions) also auto-downgrade (C2) the order-generating states with nothing left to
   * roll.
   */
  async refresh(
    pricedPosition?: (instrumentCode: string, contractDate: string) => number,
    opts: {
      full?: boolean;
      /** Contract − strategy total: Force_Outright with it non-zero still has a leg to roll. */
      imbalance?: (instrumentCode: string) => number;
    } = {},
  ): Promise<void> {
    const records = new Map(
      (await readRollStatuses(this.ctx.nc, this.ctx.prefix)).map((r) => [r.instrument_code, r]),
    );
    const full = opts.full === true || this.seen === undefined;
    const codes = full ? await this.prices.listMultiplePrices() : Object.keys(this.table);
    const seen = new Map<string, number | null>();
    const table: Record<string, Row> = {};
    for (const code of codes) {
      const record = records.get(code);
      seen.set(code, record?.revision ?? null);
      let row = this.table[code];
      if (full || !row || this.seen?.get(code) !== (record?.revision ?? null)) {
        const m = await this.prices.getMultiplePrices(code);
        const last = m ? m.times.length - 1 : -1;
        const priced = m?.priceContract[last];
        row = m && priced ? { priced, forward: m.forwardContract[last] || undefined } : undefined;
      }
      if (!row) continue;
      let rollState = record?.roll_state;
      // Force_Outright cut short with the priced leg filled: the forward leg is still to come (no C2).
      const pending = rollState === 'Force_Outright' && (opts.imbalance?.(code) ?? 0) !== 0;
      if (pricedPosition && rollState && requiresOrderGeneration(rollState) && !pending) {
        const p = pricedPosition(code, row.priced);
        const after = await autoUpdateRollStatus(this.ctx, code, rollState, p);
        if (after !== rollState) {
          logCritical(
            this.log,
            `${code}: no position left in the priced contract, roll state ${rollState} → ${after}`,
            { instrument_code: code, priced_contract: row.priced },
          );
          seen.set(code, Number.NaN); // changed by us: re-read next time
        }
        rollState = after;
      }
      table[code] = { ...row, rollState };
    }
    this.seen = seen;
    this.table = table;
    this.resolver = staticContracts(table);
  }

  /** Instruments with multiple prices, as last read. */
  instruments(): string[] {
    return Object.keys(this.table).sort();
  }

  rollState(i: string): RollState {
    return this.resolver.rollState(i);
  }
  pricedContract(i: string): string {
    return this.resolver.pricedContract(i);
  }
  forwardContract(i: string): string {
    return this.resolver.forwardContract(i);
  }
}
