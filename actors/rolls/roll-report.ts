/**
 * The roll report's inputs from the stores: the stored roll states (KV `<PREFIX>_ROLL_STATUS`), the
 * last multiple-prices row and roll parameters of each instrument, the contract positions rebuilt
 * from the fills stream, the daily volumes of the priced and forward contracts, and the broker's
 * expiry dates kept with the sampled contracts (update_sampled_contracts).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import {
  type RollStatusInput,
  type RollStatusRow,
  rollStatusReport,
} from '../../src/domain/rolls/roll-report.ts';
import type { RollAutoUpdateConfig } from '../../src/domain/rolls/roll-state.ts';
import type { PriceStore } from '../../src/store/price-store.ts';
import { readPositions } from '../stack/read-model.ts';
import { readRollStates } from './roll-status-host.ts';
import { openPriceStore } from '../../src/store/backend.ts';

async function dailyVolumes(store: PriceStore, code: string, contract: string): Promise<number[]> {
  if (!contract) return [];
  const p = await store.getContractPrices(code, contract, 'D');
  return p ? Array.from(p.volume) : [];
}

export async function rollStatusInputs(
  nc: NatsConnection,
  prefix: string,
  instruments?: string[],
): Promise<RollStatusInput[]> {
  const store = await openPriceStore(nc, prefix);
  const [states, positions] = await Promise.all([readRollStates(nc, prefix), readPositions(nc, prefix)]);
  const out: RollStatusInput[] = [];
  for (const code of instruments ?? (await store.listMultiplePrices())) {
    const m = await store.getMultiplePrices(code);
    const last = m ? m.times.length - 1 : -1;
    if (!m || last < 0) continue;
    const priceContract = m.priceContract[last]!;
    const forwardContract = m.forwardContract[last]!;
    out.push({
      instrumentCode: code,
      rollState: states[code] ?? 'No_Roll',
      priceContract,
      forwardContract,
      carryContract: m.carryContract[last]!,
      roll: (await store.getInstrumentConfig(code))?.roll,
      positions: positions.contract.filter((p) => p.instrumentCode === code),
      pricedVolumes: await dailyVolumes(store, code, priceContract),
      forwardVolumes: await dailyVolumes(store, code, forwardContract),
      expiries: Object.fromEntries(
        (await store.getSampledContracts(code))
          .filter((c) => !c.expiryApproximate)
          .map((c) => [c.contractDate, c.expiryDate]),
      ),
    });
  }
  return out;
}

export async function readRollReport(
  nc: NatsConnection,
  prefix: string,
  now: number,
  cfg?: RollAutoUpdateConfig,
  instruments?: string[],
): Promise<RollStatusRow[]> {
  return rollStatusReport(await rollStatusInputs(nc, prefix, instruments), now, cfg);
}
