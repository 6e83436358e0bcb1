/**
 * What must hold after a chaos run, read from the bus as any client could: the fills stream, the
 * simulated broker's own records, the positions read from the fills, process control.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { readPositions } from '../../actors/stack/read-model.ts';
import { simPositions } from '../../src/broker/sim/state.ts';
import { callService } from '../../src/bus/service.ts';
import { kvSimBrokerStore } from '../../src/broker/sim/kv-store.ts';
import { streamName, subject } from '../../src/bus/subjects.ts';
import { ackedRequestsLeft, queuedRequests } from './queue.ts';
import { type ChaosRequest, expectedPositions, keyOf } from './requests.ts';
import { alive, PREFIX } from './system.ts';

export interface Invariants {
  /** Broker executions with no fill record on the fills stream. */
  lost_fills: number;
  /** Executions recorded twice on the fills stream. */
  duplicate_fills: number;
  /** Lots the broker executed beyond the sum of |requested trades|: an order sent twice. */
  duplicate_broker_orders: number;
  /**
   * Keys whose strategy position is not the sum of their requests less those the stack refused
   * (a request traded twice, or only in part, or lost without a word: both directions, despite
   * the name).
   */
  doubled_requests: number;
  /** Requests the stack refused, logged with their reason (e.g. the instrument locked). */
  refused_requests: number;
  refused_reasons: Record<string, number>;
  /** Contracts whose position (sum of fills) differs from the broker's. */
  position_mismatches: number;
  /** Leases held by dead processes, or no live stack handler at the end. */
  process_control_inconsistencies: number;
  active_orders_on_stack: number;
  queued_order_requests: number;
  /**
   * Acknowledged requests nats-server left in the work-queue stream at or below the consumer's
   * ack floor (2.9.10 after restarts); the stack handler removes them when it starts (queue.ts).
   */
  acked_requests_left: number;
  /** Acknowledged requests the stack handler found left in the queue and removed (its log lines). */
  acked_requests_removed: number;
  /** The stack handler's critical alerts that its order journal writes were failing. */
  journal_write_alerts: number;
  /** Times the stack handler's order host stopped (a journal write failed past its retries). */
  order_host_stops: number;
  fills: number;
  broker_orders: number;
}

/** Execution ids on the fills stream (from each message's id `fill:<execId>`), with repeats. */
async function recordedExecIds(nc: NatsConnection): Promise<string[]> {
  const name = streamName(PREFIX, 'FILLS');
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(name).catch(() => undefined);
  const total = info?.state.messages ?? 0;
  const out: string[] = [];
  if (total === 0) return out;
  const consumer = await jetstream(nc).consumers.get(name);
  const messages = await consumer.consume();
  for await (const m of messages) {
    const id = m.headers?.get('Nats-Msg-Id') ?? '';
    const data = (() => {
      try {
        return m.json<{ execId?: string; exec_id?: string; data?: { execId?: string } }>();
      } catch {
        return {}; // not JSON: the message id alone names the execution
      }
    })();
    out.push(id.startsWith('fill:') ? id.slice(5) : (data.execId ?? data.exec_id ?? data.data?.execId ?? id));
    if (out.length >= total) break;
  }
  await messages.close();
  return out;
}

async function processControlProblems(nc: NatsConnection): Promise<number> {
  const kv = await new Kvm(nc).open(streamName(PREFIX, 'process_control'));
  let problems = 0;
  let stackHandler = false;
  for await (const key of await kv.keys('lease.>')) {
    const e = await kv.get(key);
    if (!e || e.operation !== 'PUT') continue;
    const { pid } = e.json<{ pid: number }>();
    if (!alive(pid)) problems++;
    else if (key === 'lease.run_stack_handler') stackHandler = true;
  }
  return problems + (stackHandler ? 0 : 1);
}

/** A request the stack refused: its warning line in an echo file. */
export interface Refusal {
  strategy: string;
  instrument: string;
  trade: number;
  reason: string;
}

/** The refusals in the stack handler's echo files (what it printed, kept across restarts). */
export function refusalsIn(echoDir: string | undefined): Refusal[] {
  if (!echoDir || !existsSync(echoDir)) return [];
  const out: Refusal[] = [];
  for (const f of readdirSync(echoDir).filter((n) => n.startsWith('run_stack_handler'))) {
    for (const line of readFileSync(join(echoDir, f), 'utf8').split('\n')) {
      if (!line.includes('order request refused by the stack')) continue;
      try {
        const l = JSON.parse(line) as Record<string, unknown>;
        out.push({
          strategy: String(l.strategy_name),
          instrument: String(l.instrument_code),
          trade: Number(l.trade),
          reason: String(l.reason),
        });
      } catch {
        // a line cut short by a kill -9: not a whole refusal
      }
    }
  }
  return out;
}

/** How many lines of the stack handler's echo files hold `text`. */
export function linesIn(echoDir: string | undefined, text: string): number {
  if (!echoDir || !existsSync(echoDir)) return 0;
  let n = 0;
  for (const f of readdirSync(echoDir).filter((name) => name.startsWith('run_stack_handler')))
    for (const line of readFileSync(join(echoDir, f), 'utf8').split('\n')) if (line.includes(text)) n++;
  return n;
}

/** The sum of a numeric field over the stack handler's echo lines holding `text`. */
export function sumIn(echoDir: string | undefined, text: string, field: string): number {
  if (!echoDir || !existsSync(echoDir)) return 0;
  let n = 0;
  for (const f of readdirSync(echoDir).filter((name) => name.startsWith('run_stack_handler')))
    for (const line of readFileSync(join(echoDir, f), 'utf8').split('\n')) {
      if (!line.includes(text)) continue;
      try {
        const v = (JSON.parse(line) as Record<string, unknown>)[field];
        if (typeof v === 'number') n += v;
      } catch {
        // a line cut short by a kill -9: not counted
      }
    }
  return n;
}

export async function checkInvariants(
  nc: NatsConnection,
  requests: ChaosRequest[],
  echoDir?: string,
): Promise<Invariants> {
  const ours = await readPositions(nc, PREFIX);
  const orders = await (await kvSimBrokerStore(nc, streamName(PREFIX, 'SIMBROKER'))).loadOrders();
  const active = await callService<unknown[]>(
    nc,
    subject(PREFIX, 'orders', 'view', 'instrument'),
    { active_only: true },
    5000,
  ).then(
    (rows) => rows.length,
    () => -1, // the stack handler is not answering: unknown, never read as zero
  );
  const brokerExecs = new Set(orders.flatMap((o) => o.fills.map((f) => f.execId)));
  const recorded = await recordedExecIds(nc);
  const recordedSet = new Set(recorded);
  const brokerLots = orders.reduce((s, o) => s + o.filled.reduce((a, q) => a + Math.abs(q), 0), 0);
  const askedLots = requests.reduce((s, r) => s + Math.abs(r.trade), 0);
  const expected = expectedPositions(requests);
  const refused = refusalsIn(echoDir);
  const reasons: Record<string, number> = {};
  for (const r of refused) {
    const k = keyOf(r.strategy, r.instrument);
    expected.set(k, (expected.get(k) ?? 0) - r.trade);
    const why = r.reason.replace(/instrument \S+ is locked/, 'instrument locked');
    reasons[why] = (reasons[why] ?? 0) + 1;
  }
  const actual = new Map(ours.strategy.map((p) => [keyOf(p.strategyName, p.instrumentCode), p.position]));
  let doubled = 0;
  for (const k of new Set([...expected.keys(), ...actual.keys()])) {
    if ((expected.get(k) ?? 0) !== (actual.get(k) ?? 0)) doubled++;
  }
  const contract = (p: { instrumentCode: string; contractDate: string }) =>
    `${p.instrumentCode}/${p.contractDate.slice(0, 6)}`;
  const ourMap = new Map<string, number>();
  for (const p of ours.contract) if (p.position !== 0) ourMap.set(contract(p), p.position);
  const theirs = new Map(simPositions(orders).map((p) => [contract(p), p.position]));
  let mismatches = 0;
  for (const k of new Set([...ourMap.keys(), ...theirs.keys()])) {
    if ((ourMap.get(k) ?? 0) !== (theirs.get(k) ?? 0)) mismatches++;
  }
  return {
    lost_fills: [...brokerExecs].filter((id) => !recordedSet.has(id)).length,
    duplicate_fills: recorded.length - recordedSet.size,
    duplicate_broker_orders: Math.max(0, brokerLots - askedLots),
    doubled_requests: doubled,
    refused_requests: refused.length,
    refused_reasons: reasons,
    position_mismatches: mismatches,
    process_control_inconsistencies: await processControlProblems(nc),
    active_orders_on_stack: active,
    queued_order_requests: await queuedRequests(nc),
    acked_requests_left: await ackedRequestsLeft(nc),
    acked_requests_removed: sumIn(echoDir, 'left in the queue by nats-server: removed', 'removed'),
    journal_write_alerts: linesIn(echoDir, 'order journal writes failing'),
    order_host_stops: linesIn(echoDir, 'order host lost its store'),
    fills: recorded.length,
    broker_orders: orders.length,
  };
}
