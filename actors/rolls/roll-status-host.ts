/**
 * The roll status actors (one `machines/roll-status.ts` machine per instrument), persisted in the
 * keyed records `ROLL_STATUS` of the selected backend (`openRecords`: the KV bucket
 * `<PREFIX>_ROLL_STATUS`, or the MongoDB collection `roll_status`; key: instrument; value: the
 * machine's snapshot and its state) and journaled: every event a change emits goes on
 * `<prefix>.rolls.event.<instrument>`, stored in the stream `<PREFIX>_ROLLS` (with MongoDB: the
 * journal collection `rolls`, and published on the bus for live viewers). Any process may read
 * the states (the order generator, the stack handler, the roll report); a change steps the
 * instrument's machine with the position in the priced contract read from the fills, and is
 * written with the revision it was read at, so two people changing one instrument at once cannot
 * both win.
 *
 * Side effects the machine emits are performed here: entering No_Open sets a temporary
 * reduce-only instrument override (the override it replaces is kept and put back on leaving);
 * entering Roll_Adjusted leaves the price roll to the caller, who reports its outcome with
 * `completePriceRoll`.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  type RollStatusEmitted,
  type RollStatusEvent,
  rollStatusMachine,
} from '../../machines/roll-status.ts';
import { persist, restore, start, step } from '../../machines/step.ts';
import { streamName, subject } from '../../src/bus/subjects.ts';
import type { Clock } from '../../src/clock.ts';
import { downgradedRollState, isRollState, type RollState } from '../../src/domain/rolls/roll-state.ts';
import type { Override } from '../../src/domain/strategy-orders/overrides.ts';
import { keyToken } from '../../src/store/kv-json.ts';
import type { Records } from '../../src/store/records.ts';
import { readPositions } from '../stack/read-model.ts';
import {
  mongoDatabase,
  openControlsStore,
  openPriceStore,
  openRecords,
  selectedStorage,
} from '../../src/store/backend.ts';

export interface RollStatusRecord {
  instrument_code: string;
  roll_state: RollState;
  changed_at: number | null;
  changed_by: string | null;
  /** The instrument override No_Open replaced (null: there was none); undefined outside No_Open. */
  stored_override?: Override | null;
  snapshot: unknown;
}

export class RollChangeRefused extends Error {
  override name = 'RollChangeRefused';
}

/** A stored roll status that is not one of the seven states: nothing reads on from it. */
export class RollStatusCorrupt extends Error {
  override name = 'RollStatusCorrupt';
}

export interface RollContext {
  nc: NatsConnection;
  prefix: string;
  clock: Clock;
}

const TWO_MINUTES_NS = 120_000_000_000;

async function bucket(nc: NatsConnection, prefix: string): Promise<Records> {
  return openRecords(nc, prefix, 'ROLL_STATUS', 10);
}

async function ensureJournal(nc: NatsConnection, prefix: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const name = streamName(prefix, 'ROLLS');
  if (await jsm.streams.info(name).catch(() => undefined)) return;
  await jsm.streams.add({
    name,
    subjects: [subject(prefix, 'rolls', 'event', '>')],
    duplicate_window: TWO_MINUTES_NS,
  });
}

/** Journal the events of one change on `<prefix>.rolls.event.<key>` (see the header). */
async function journalRollEvents(ctx: RollContext, key: string, bodies: unknown[]): Promise<void> {
  const subj = subject(ctx.prefix, 'rolls', 'event', key);
  if (selectedStorage().backend === 'mongodb') {
    const { MongoJournal } = await import('../../src/store/mongo/journal.ts');
    const journal = await MongoJournal.open(await mongoDatabase(), 'rolls');
    for (const b of bodies) {
      await journal.append(subj, b);
      ctx.nc.publish(subj, JSON.stringify(b));
    }
    return;
  }
  await ensureJournal(ctx.nc, ctx.prefix);
  const js = jetstream(ctx.nc);
  for (const b of bodies) await js.publish(subj, JSON.stringify(b));
}

/** A stored roll status with the KV revision it was read at (changes with every write). */
export type StoredRollStatus = RollStatusRecord & { revision: number };

/** Every stored roll status (instruments never changed are No_Roll and have no record). */
export async function readRollStatuses(nc: NatsConnection, prefix: string): Promise<StoredRollStatus[]> {
  const records = await bucket(nc, prefix);
  const out: StoredRollStatus[] = [];
  for (const { key } of await records.list()) {
    const e = await records.getVersioned<RollStatusRecord>(key);
    if (!e) continue;
    const r = e.value;
    if (!isRollState(r.roll_state))
      throw new RollStatusCorrupt(
        `${streamName(prefix, 'ROLL_STATUS')} ${key}: roll_state ${JSON.stringify(r.roll_state)} is not a roll state`,
      );
    out.push({ ...r, revision: e.revision });
  }
  return out.sort((a, b) => (a.instrument_code < b.instrument_code ? -1 : 1));
}

/** Roll state per instrument; an instrument with no record is No_Roll (the reference's default). */
export async function readRollStates(nc: NatsConnection, prefix: string): Promise<Record<string, RollState>> {
  return Object.fromEntries(
    (await readRollStatuses(nc, prefix)).map((r) => [r.instrument_code, r.roll_state]),
  );
}

/** The position in the priced contract (the last row of the multiple prices), from the fills. */
export async function pricedPosition(
  nc: NatsConnection,
  prefix: string,
  instrumentCode: string,
): Promise<number> {
  const multiple = await (await openPriceStore(nc, prefix)).getMultiplePrices(instrumentCode);
  const n = multiple?.times.length ?? 0;
  if (!multiple || n === 0)
    throw new RollChangeRefused(`${instrumentCode} has no multiple prices: its priced contract is not known`);
  const priced = multiple.priceContract[n - 1];
  const positions = await readPositions(nc, prefix);
  return positions.contract
    .filter((p) => p.instrumentCode === instrumentCode && p.contractDate === priced)
    .reduce((s, p) => s + p.position, 0);
}

async function applyEffects(
  ctx: RollContext,
  record: RollStatusRecord,
  emitted: RollStatusEmitted[],
): Promise<void> {
  const controls = await openControlsStore(ctx.nc, ctx.prefix);
  const target = { instrument_code: record.instrument_code };
  for (const e of emitted) {
    if (e.type === 'reduceOnlyOverrideAdded') {
      const table = await controls.overrides();
      record.stored_override = table.instrument?.[record.instrument_code] ?? null;
      await controls.setOverride('instrument', target, { type: 'reduce_only' });
    } else if (e.type === 'reduceOnlyOverrideRemoved') {
      const before = record.stored_override;
      if (before) await controls.setOverride('instrument', target, before);
      else await controls.deleteOverride('instrument', target);
      delete record.stored_override;
    }
  }
}

/** Step one instrument's roll status machine; refused changes throw and write nothing. */
async function stepInstrument(
  ctx: RollContext,
  instrumentCode: string,
  event: RollStatusEvent,
): Promise<{ record: RollStatusRecord; emitted: RollStatusEmitted[] }> {
  const key = keyToken(instrumentCode, 'instrument_code');
  const records = await bucket(ctx.nc, ctx.prefix);
  const entry = await records.getVersioned<RollStatusRecord>(key);
  const stored = entry?.value;
  const snapshot = stored
    ? restore(rollStatusMachine, stored.snapshot)
    : start(rollStatusMachine, { instrumentCode }).snapshot;
  if (!snapshot.can(event))
    throw new RollChangeRefused(
      `${instrumentCode}: ${event.type} does not apply in ${String(snapshot.value)}`,
    );
  const r = step(rollStatusMachine, snapshot, event);
  const refused = r.emitted.find((e) => e.type === 'refused');
  if (refused?.type === 'refused') throw new RollChangeRefused(`${instrumentCode}: ${refused.reason}`);
  if (r.ignored)
    throw new RollChangeRefused(
      `${instrumentCode}: ${event.type} does not apply in ${String(snapshot.value)}`,
    );
  const record: RollStatusRecord = {
    instrument_code: instrumentCode,
    roll_state: r.snapshot.value as RollState,
    changed_at: r.snapshot.context.changedAt,
    changed_by: r.snapshot.context.changedBy,
    ...(stored?.stored_override !== undefined ? { stored_override: stored.stored_override } : {}),
    snapshot: persist(rollStatusMachine, r.snapshot),
  };
  await applyEffects(ctx, record, r.emitted);
  if (entry) await records.update(key, record, entry.revision);
  else await records.create(key, record);
  await journalRollEvents(
    ctx,
    key,
    r.emitted.map((e) => ({ ...e, at: ctx.clock.now() })),
  );
  return { record, emitted: r.emitted };
}

/** Ask for a roll state; returns the new record and whether the price roll must now run. */
export async function changeRollState(
  ctx: RollContext,
  instrumentCode: string,
  to: RollState,
  by = 'manual',
): Promise<{ record: RollStatusRecord; priceRollRequested: boolean }> {
  const position = await pricedPosition(ctx.nc, ctx.prefix, instrumentCode);
  const { record, emitted } = await stepInstrument(ctx, instrumentCode, {
    type: 'CHANGE',
    to,
    pricedPosition: position,
    at: ctx.clock.now(),
    by,
  });
  return { record, priceRollRequested: emitted.some((e) => e.type === 'priceRollRequested') };
}

/** The outcome of the price roll asked for by Roll_Adjusted: done → No_Roll, failed → the state before. */
export async function completePriceRoll(
  ctx: RollContext,
  instrumentCode: string,
  outcome: { ok: true } | { ok: false; reason: string },
): Promise<RollStatusRecord> {
  const at = ctx.clock.now();
  const event: RollStatusEvent = outcome.ok
    ? { type: 'PRICE_ROLL_DONE', at }
    : { type: 'PRICE_ROLL_FAILED', reason: outcome.reason, at };
  return (await stepInstrument(ctx, instrumentCode, event)).record;
}

/**
 * C2 (`check_and_auto_update_roll_state`): Force, Force_Outright or Close with nothing left in the
 * priced contract becomes Passive. Returns the state after the check (unchanged when no downgrade).
 */
export async function autoUpdateRollStatus(
  ctx: RollContext,
  instrumentCode: string,
  state: RollState,
  pricedPositionNow: number,
): Promise<RollState> {
  if (downgradedRollState(state, pricedPositionNow) === state) return state;
  const { record } = await stepInstrument(ctx, instrumentCode, {
    type: 'POSITION_CHECKED',
    pricedPosition: pricedPositionNow,
    at: ctx.clock.now(),
  });
  return record.roll_state;
}
