/**
 * Guided crash recovery (production doc "Recovering from a crash"), the procedure behind
 * `systack recover`: check storage and process control (dead processes finished), check the
 * broker connection, end-of-day the stacks left by the crash, compare positions with the broker
 * and book a balance trade for each break (contract level, then instrument level), then rerun
 * the day's missed updates in dependency order. Every step says what it did.
 *
 * The order stacks are reached through the stack handler's services: the running one's, or,
 * when none answers, a stack handler opened here (run_stack_handler's methods: restore, broker
 * connected, services served) and closed by its own end of day when the stacks are done.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { type NatsConnection, RequestError } from '@nats-io/transport-node';
import type { BrokerFill, BrokerPosition } from '../src/broker/port.ts';
import { EOD_CONFIRM } from '../src/bus/schemas/orders.ts';
import { callService } from '../src/bus/service.ts';
import { streamName, subject } from '../src/bus/subjects.ts';
import type { Clock } from '../src/clock.ts';
import type { ResolvedSystemConfig } from '../src/config/load.ts';
import type { ControlConfig } from '../src/domain/process-control/config.ts';
import {
  type BalanceProposal,
  contractBreaks,
  DAILY_UPDATES,
  dependencyOrder,
  instrumentBreaks,
  missedReason,
  strategyForBreak,
  suggestedBalancePrice,
} from '../src/domain/recovery.ts';
import type { Logger } from '../src/log/logger.ts';
import { mongoDatabase, selectedStorage } from '../src/store/backend.ts';
import type { StackPositions } from './stack/read-model.ts';
import { stackHandlerProcessMethods } from './process-methods/stack-handler.ts';
import { type MethodRegistry, oneOffMethodContext, type ProcessMethodDeps } from './process-methods/types.ts';
import { markDeadProcessesFinished, wallAge } from './supervisor/dead-process.ts';
import { ProcessStore } from './supervisor/process-store.ts';

/** The questions recovery asks (answered at prompts, or all yes with `--yes`). */
export interface RecoveryPrompts {
  confirm(question: string): Promise<boolean>;
  /** A balance trade for a break: returned (perhaps changed) to book it, undefined to skip it. */
  balance(
    what: string,
    proposal: BalanceProposal,
    strategies: string[],
  ): Promise<BalanceProposal | undefined>;
}

export interface RecoverOptions {
  nc: NatsConnection;
  prefix: string;
  system: ResolvedSystemConfig;
  control: ControlConfig;
  clock: Clock;
  log: Logger;
  /** Wall-clock now, for dead-process detection (heartbeats are wall-clock). */
  wallNow: number;
  host: string;
  prompts: RecoveryPrompts;
  /** Which updates to rerun: the missed ones (default), none, or these processes. */
  updates: 'missed' | 'none' | string[];
  registry: MethodRegistry;
  /** The broker of a stack handler opened here (tests: the simulated broker); default from config. */
  stackDeps?: ProcessMethodDeps;
}

export interface RecoveryStep {
  step: string;
  did: string;
}

interface PositionsView extends StackPositions {
  broker: BrokerPosition[];
  locks: Record<string, string>;
}

export class RecoveryError extends Error {
  override name = 'RecoveryError';
}

export async function recoverSystem(o: RecoverOptions): Promise<RecoveryStep[]> {
  const steps: RecoveryStep[] = [];
  const did = (step: string, text: string) => {
    steps.push({ step, did: text });
    o.log.info({ step }, text);
  };
  const store = await ProcessStore.open(o.nc, o.prefix);
  did('storage', await checkStorage(o));
  const dead = await markDeadProcessesFinished(
    store,
    { ageOf: wallAge(o.wallNow), staleAfterMs: 15_000, host: o.host },
    o.clock,
    o.log,
  );
  did('processes', dead.length ? `marked finished (crashed): ${dead.join(', ')}` : 'no dead processes');

  const orders = (endpoint: string, body: unknown, timeoutMs?: number) =>
    callService<unknown>(o.nc, subject(o.prefix, 'orders', ...endpoint.split('.')), body, timeoutMs);
  const methods = stackHandlerProcessMethods(o.stackDeps);
  const base = { clock: o.clock, nc: o.nc, prefix: o.prefix, system: o.system, log: o.log };
  const ctx = (method: string) => oneOffMethodContext({ ...base, process: 'run_stack_handler', method });
  let opened = false;
  try {
    await orders('view.positions', {});
  } catch (err) {
    if (!(err instanceof RequestError && err.isNoResponders())) throw err;
    await methods.check_external_position_break!(ctx('check_external_position_break'));
    opened = true;
  }
  try {
    const first = (await orders('view.positions', {})) as PositionsView;
    did(
      'broker',
      `connected (${opened ? 'stack handler opened for recovery' : 'through the running stack handler'}); ` +
        `${first.broker.length} broker positions`,
    );
    did('end_of_day', await endOfDay(o, orders));
    did('positions', await balanceBreaks(o, orders));
    if (opened) await methods.check_external_position_break!(ctx('check_external_position_break'));
  } finally {
    if (opened) await methods.safe_stack_removal!(ctx('safe_stack_removal'));
  }
  const eodRemoved = steps.some((s) => s.step === 'end_of_day' && /removed [1-9]/.test(s.did));
  for (const s of await rerunUpdates(o, store, eodRemoved)) did('updates', s);
  return steps;
}

async function checkStorage(o: RecoverOptions): Promise<string> {
  const jsm = await jetstreamManager(o.nc);
  let streams = 0;
  const own = streamName(o.prefix, '');
  for await (const s of jsm.streams.list())
    if ([own, `KV_${own}`, `OBJ_${own}`].some((p) => s.config.name.startsWith(p))) streams++;
  const sel = selectedStorage();
  if (sel.backend !== 'mongodb')
    return `jetstream: ${streams} streams, buckets and object stores of '${o.prefix}'`;
  const db = await mongoDatabase();
  await db.command({ ping: 1 });
  const collections = (await db.listCollections({}, { nameOnly: true }).toArray()).length;
  return `mongodb '${db.databaseName}': reachable, ${collections} collections; jetstream: ${streams} streams`;
}

type Orders = (endpoint: string, body: unknown, timeoutMs?: number) => Promise<unknown>;

async function endOfDay(o: RecoverOptions, orders: Orders): Promise<string> {
  const stacks = await Promise.all(
    (['instrument', 'contract', 'broker'] as const).map(
      async (l) => (await orders(`view.${l}`, { active_only: false })) as Array<{ active: boolean }>,
    ),
  );
  const counts = stacks.map((s) => s.length);
  const active = stacks.reduce((n, s) => n + s.filter((x) => x.active).length, 0);
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return 'stacks empty: nothing to end';
  const what = `${counts[0]} instrument, ${counts[1]} contract, ${counts[2]} broker orders (${active} active)`;
  if (!(await o.prompts.confirm(`The stacks hold ${what}. Run the end of day on them?`)))
    return `left ${what} on the stacks (declined)`;
  const r = (await orders('eod', { confirm: EOD_CONFIRM }, 180_000)) as {
    cancelled: number;
    completed: number;
    removed: number;
  };
  return `end of day on ${what}: cancelled ${r.cancelled}, completed ${r.completed}, removed ${r.removed}`;
}

async function balanceBreaks(o: RecoverOptions, orders: Orders): Promise<string> {
  const strategies = Object.keys(o.system.strategy_list);
  const done: string[] = [];
  let view = (await orders('view.positions', {})) as PositionsView;
  const live = (await orders('view.broker_live', {})) as { fills: BrokerFill[] };
  const cbreaks = contractBreaks(view.contract, view.broker);
  for (const b of cbreaks) {
    const qty = b.broker - b.ours;
    const name = strategyForBreak(b.instrumentCode, view.strategy, strategies);
    const what = `${b.instrumentCode} ${b.contractDate}: ours ${b.ours}, broker ${b.broker}`;
    if (!name) {
      done.push(`${what}: no strategy configured to book it to (skipped)`);
      continue;
    }
    const proposal: BalanceProposal = {
      strategyName: name,
      instrumentCode: b.instrumentCode,
      contractDate: b.contractDate,
      qty,
      price: suggestedBalancePrice(live.fills, b.instrumentCode, b.contractDate, qty),
    };
    done.push(`${what}: ${await book(o, orders, what, proposal, strategies)}`);
  }
  view = (await orders('view.positions', {})) as PositionsView;
  for (const b of instrumentBreaks(view.contract, view.strategy)) {
    const what = `${b.instrumentCode}: contracts ${b.contracts}, strategies ${b.strategies}`;
    const name = strategyForBreak(b.instrumentCode, view.strategy, strategies);
    if (!name) {
      done.push(`${what}: no strategy configured to book it to (skipped)`);
      continue;
    }
    const proposal: BalanceProposal = {
      strategyName: name,
      instrumentCode: b.instrumentCode,
      qty: b.contracts - b.strategies,
      price: undefined,
    };
    done.push(`${what}: ${await book(o, orders, what, proposal, strategies)}`);
  }
  return done.length ? done.join('; ') : 'positions match the broker: no breaks';
}

async function book(
  o: RecoverOptions,
  orders: Orders,
  what: string,
  proposal: BalanceProposal,
  strategies: string[],
): Promise<string> {
  const p = await o.prompts.balance(what, proposal, strategies);
  if (!p) return 'not booked (skipped)';
  if (p.price === undefined) return 'not booked: no price (book it with systack orders balance)';
  const requestId = `recover-${o.clock.now()}-${p.instrumentCode}-${p.contractDate ?? 'instrument'}`;
  const common = {
    strategy_name: p.strategyName,
    instrument_code: p.instrumentCode,
    qty: p.qty,
    price: p.price,
    request_id: requestId,
  };
  if (p.contractDate !== undefined)
    await orders('balance.trade', { ...common, contract_date: p.contractDate });
  else await orders('balance.instrument', common);
  return `${p.contractDate !== undefined ? 'balance trade' : 'balance instrument trade'} ${p.qty} for ${p.strategyName} at ${p.price}`;
}

async function rerunUpdates(o: RecoverOptions, store: ProcessStore, eodRemoved: boolean): Promise<string[]> {
  if (o.updates === 'none') return ['not asked to rerun updates'];
  const now = o.clock.now();
  const wanted = Array.isArray(o.updates) ? o.updates : undefined;
  for (const w of wanted ?? [])
    if (!o.control.processes[w]) throw new RecoveryError(`unknown process '${w}' to rerun`);
  const candidates = (wanted ?? [...DAILY_UPDATES]).flatMap((n) => {
    const p = o.control.processes[n];
    return p ? [p] : [];
  });
  const out: string[] = [];
  const due: Array<{ name: string; why: string }> = [];
  for (const p of dependencyOrder(candidates)) {
    const record = await store.getRecord(p.name);
    let why = wanted ? 'asked for' : missedReason(p, record, now, o.control.timeZone);
    if (!why && p.name === 'run_strategy_order_generator' && eodRemoved)
      why = 'the end of day emptied the stacks';
    if (why) due.push({ name: p.name, why });
  }
  if (due.length === 0) return ['no missed updates today'];
  const base = { clock: o.clock, nc: o.nc, prefix: o.prefix, system: o.system, log: o.log };
  const failed = new Set<string>();
  for (const { name, why } of due) {
    const p = o.control.processes[name]!;
    if (p.previousProcess && failed.has(p.previousProcess)) {
      failed.add(name);
      out.push(`${name}: not rerun (${p.previousProcess} failed)`);
      continue;
    }
    if (!(await o.prompts.confirm(`Rerun ${name} (${why})?`))) {
      out.push(`${name}: not rerun (declined)`);
      continue;
    }
    const ran: string[] = [];
    const ordered = [
      ...p.methods.filter((m) => !m.runOnCompletionOnly),
      ...p.methods.filter((m) => m.runOnCompletionOnly),
    ];
    try {
      for (const m of ordered) {
        const method = o.registry[name]?.[m.name];
        if (!method) throw new RecoveryError(`${name}: no method '${m.name}'`);
        await method(
          oneOffMethodContext({ ...base, process: name, method: m.name, args: p.arguments[m.name] ?? {} }),
        );
        ran.push(m.name);
      }
      out.push(`${name} (${why}): ran ${ran.join(', ') || 'no methods'}`);
    } catch (err) {
      failed.add(name);
      out.push(
        `${name} (${why}): FAILED after ${ran.join(', ') || 'no methods'}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  return out;
}
