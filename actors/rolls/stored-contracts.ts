/**
 * The stack handler's contract resolver from stored state: per instrument, the priced and forward
 * contracts of the last multiple-prices row and the roll state stored by the roll status actors
 * (KV `<PREFIX>_ROLL_STATUS`; no record is No_Roll). `refresh` re-reads both, so a roll state set
 * during the day and a price roll (Roll_Adjusted → new priced contract) reach the next spawn, and
 * runs C2 (`check_and_auto_update_roll_state`): Force, Force_Outright or Close with a zero
 * priced-contract position becomes Passive (critical log), through the instrument's machine.
 */
import { requiresOrderGeneration, type RollState } from '../../src/domain/rolls/roll-state.ts';
import type { PriceStore } from '../../src/store/price-store.ts';
import { type ContractResolver, logCritical, type StackLogger, staticContracts } from '../stack/ports.ts';
import { autoUpdateRollStatus, readRollStates, type RollContext } from './roll-status-host.ts';

interface Row {
  priced: string;
  forward?: string;
  rollState?: RollState;
}

export class StoredRollContracts implements ContractResolver {
  private table: Record<string, Row> = {};
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
   * Re-read contracts and roll states; with `pricedPosition` (the stack's contract positions) also
   * auto-downgrade (C2) the order-generating states that have nothing left to roll.
   */
  async refresh(pricedPosition?: (instrumentCode: string, contractDate: string) => number): Promise<void> {
    const states = await readRollStates(this.ctx.nc, this.ctx.prefix);
    const table: Record<string, Row> = {};
    for (const code of await this.prices.listMultiplePrices()) {
      const m = await this.prices.getMultiplePrices(code);
      const last = m ? m.times.length - 1 : -1;
      const priced = m?.priceContract[last];
      if (!m || !priced) continue;
      let rollState = states[code];
      if (pricedPosition && rollState && requiresOrderGeneration(rollState)) {
        const p = pricedPosition(code, priced);
        const after = await autoUpdateRollStatus(this.ctx, code, rollState, p);
        if (after !== rollState)
          logCritical(
            this.log,
            `${code}: no position left in the priced contract, roll state ${rollState} → ${after}`,
            {
              instrument_code: code,
              priced_contract: priced,
            },
          );
        rollState = after;
      }
      table[code] = { priced, forward: m.forwardContract[last] || undefined, rollState };
    }
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
