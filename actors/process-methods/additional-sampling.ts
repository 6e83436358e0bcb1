/**
 * refresh_additional_sampling_all_instruments (digest A1, method 8): the bid/ask spread of every
 * instrument's priced contract, sampled from the broker's top of book and appended through the
 * spread samples port (`src/store/spread-samples.ts`: stream `<PREFIX>_SPREADS` or the MongoDB
 * journal `spreads`, by `storage_backend`) on `<prefix>.spreads.<instrument>` (the reference
 * keeps these "historic spreads" for the costs report). The reference watches about 10 s of ticks per contract; here one
 * snapshot per run (the method runs every 60 minutes). A contract with no valid quote is skipped
 * and named in the log; an instrument with no priced contract is skipped (#452).
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { BrokerPort } from '../../src/broker/port.ts';
import type { Clock } from '../../src/clock.ts';
import { openSpreadSamples } from '../../src/store/open-spread-samples.ts';
import type { SpreadSample } from '../../src/store/spread-samples.ts';
import type { StackLogger } from '../stack/ports.ts';

export type { SpreadSample };

export async function refreshAdditionalSampling(
  ctx: { nc: NatsConnection; prefix: string; clock: Clock; log: StackLogger },
  broker: BrokerPort,
  pricedContracts: Array<{ instrumentCode: string; contractDate: string }>,
): Promise<SpreadSample[]> {
  const store = await openSpreadSamples(ctx.nc, ctx.prefix);
  const out: SpreadSample[] = [];
  for (const c of pricedContracts) {
    if (!c.contractDate) continue;
    let snap;
    try {
      snap = await broker.marketSnapshot(c);
    } catch (err) {
      ctx.log.warn({ instrument_code: c.instrumentCode, err: String(err) }, 'no quote: spread not sampled');
      continue;
    }
    const valid =
      Number.isFinite(snap.bid) && Number.isFinite(snap.ask) && snap.bid > 0 && snap.ask >= snap.bid;
    if (!valid) {
      ctx.log.warn(
        { instrument_code: c.instrumentCode, bid: snap.bid, ask: snap.ask },
        'invalid quote: spread not sampled',
      );
      continue;
    }
    const s: SpreadSample = {
      instrument_code: c.instrumentCode,
      contract_date: c.contractDate,
      bid: snap.bid,
      ask: snap.ask,
      spread: snap.ask - snap.bid,
      time: ctx.clock.now(),
    };
    await store.append(s);
    out.push(s);
  }
  return out;
}

/** Every spread sample of one instrument (or all), oldest first; none sampled yet is []. */
export async function readSpreadSamples(
  nc: NatsConnection,
  prefix: string,
  instrumentCode?: string,
): Promise<SpreadSample[]> {
  return (await openSpreadSamples(nc, prefix)).read(instrumentCode);
}
