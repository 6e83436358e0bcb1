import {
  applyDecision,
  type CheckRow,
  checkedNewRows,
  type ManualCheckState,
  type ManualDecision,
  nextSpike,
  type PendingSpike,
  startManualCheck,
} from '../../src/domain/prices/manual-check.ts';
import {
  type ContractPrices,
  concatContractPrices,
  concatF64,
  emptyContractPrices,
  emptySeries,
  type PriceSeries,
} from '../../src/domain/prices/types.ts';
import type { PriceStore, QuarantineRecord, QuarantineTarget } from '../../src/store/price-store.ts';

/** Asked about each spike; may be interactive (readline) or a fixed policy (--accept-all, --use-previous). */
export type DecideSpike = (spike: PendingSpike, target: QuarantineTarget) => Promise<ManualDecision>;

export interface ManualCheckOutcome {
  target: QuarantineTarget;
  decisions: number;
  rowsWritten: number;
}

function rowsOfContract(p: ContractPrices): CheckRow[] {
  return Array.from(p.times, (time, i) => ({
    time,
    open: p.open[i] as number,
    high: p.high[i] as number,
    low: p.low[i] as number,
    final: p.final[i] as number,
    volume: p.volume[i] as number,
  }));
}

function contractOfRows(rows: CheckRow[]): ContractPrices {
  const col = (f: (r: CheckRow) => number | undefined): Float64Array =>
    Float64Array.from(rows, (r) => f(r) ?? Number.NaN);
  return {
    times: col((r) => r.time),
    open: col((r) => r.open),
    high: col((r) => r.high),
    low: col((r) => r.low),
    final: col((r) => r.final),
    volume: col((r) => r.volume),
  };
}

/**
 * interactive_manual_check_historical_prices / _fx_prices for one quarantined batch (production
 * doc "Manual check ..."; digest §6.2): spike-check stored + quarantined rows, ask about each
 * spike, then write the checked rows after the stored ones and clear the quarantine.
 */
export async function manualCheckQuarantine(
  store: PriceStore,
  rec: QuarantineRecord,
  decide: DecideSpike,
): Promise<ManualCheckOutcome> {
  const t = rec.target;
  const oldRows: CheckRow[] = [];
  let oldContract = emptyContractPrices();
  let oldFx: PriceSeries = emptySeries();
  if (t.kind === 'fx') {
    oldFx = (await store.getFxPrices(t.fxCode)) ?? oldFx;
    oldFx.times.forEach((time, i) => {
      oldRows.push({ time, final: oldFx.values[i] as number });
    });
  } else {
    oldContract =
      (await store.getContractPrices(t.instrumentCode, t.contractDate, t.frequency)) ?? emptyContractPrices();
    oldRows.push(...rowsOfContract(oldContract));
  }
  const lastOld =
    oldRows.length > 0 ? (oldRows[oldRows.length - 1] as CheckRow).time : Number.NEGATIVE_INFINITY;
  const fresh = rec.rows.filter((r) => r.time > lastOld);
  let state: ManualCheckState = startManualCheck(oldRows, fresh, rec.maxSpike);
  let decisions = 0;
  for (let spike = nextSpike(state); spike; spike = nextSpike(state)) {
    state = applyDecision(state, spike.index, await decide(spike, t));
    decisions++;
  }
  const checked = checkedNewRows(state);
  if (t.kind === 'fx') {
    await store.putFxPrices(t.fxCode, {
      times: concatF64(
        oldFx.times,
        Float64Array.from(checked, (r) => r.time),
      ),
      values: concatF64(
        oldFx.values,
        Float64Array.from(checked, (r) => r.final),
      ),
    });
  } else {
    await store.putContractPrices(
      t.instrumentCode,
      t.contractDate,
      t.frequency,
      concatContractPrices(oldContract, contractOfRows(checked)),
    );
  }
  await store.deleteQuarantine(t);
  return { target: t, decisions, rowsWritten: checked.length };
}
