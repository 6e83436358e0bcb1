/**
 * The execution algos as actors (issue 10 §1): every broker order an algo works has one actor
 * running its algo's machine — `market` (E1) and `limit` (E3: the market machine sending one limit
 * order with no time-out, unmanaged) run machines/algo-market.ts, `best` (E2) runs
 * machines/algo-best-execution.ts. The algo's state (passive / aggressive / cancelling / done...)
 * and its deadlines are its machine's; its decisions (place, switch to aggressive, modify, cancel,
 * finish) are its transitions and what it emits. This file holds the actors and their persistence;
 * the quote and broker I/O they ask for is performed in algos.ts / algo-tick.ts.
 *
 * Persistence: the algo's machine state rides in its broker order's record (`BrokerOrder.algo`),
 * journalled with that order on JetStream — no subject of its own, so a market algo that finishes
 * with its order's one fill costs no write of its own (its `done` is written with the fill). A
 * transition is recorded as the broker order's event `ALGO_<EVENT>`; a tick that changes nothing
 * but the machine's clock is not written (deadlines are absolute timestamps in the context, so a
 * restore re-arms them from the injected clock: the next CLOCK_TICK fires them).
 *
 * Inspection: every transition is published on `<prefix>.inspect.order.algo.<brokerOrderId>` in
 * the inspection shape of the orders (docs/stack-handler.md "Inspection").
 */
import { type BestExecutionAlgoEvent, bestExecutionAlgoMachine } from '../../machines/algo-best-execution.ts';
import { marketAlgoMachine } from '../../machines/algo-market.ts';
import type { AlgoEmitted } from '../../machines/support/algo.ts';
import { subject } from '../../src/bus/subjects.ts';
import { MachineActors } from '../host/machine-actors.ts';
import type { StackCore } from './core.ts';
import type { AlgoRecord, BestAlgoRecord, BrokerOrder, MarketAlgoRecord } from './types.ts';

export type AlgoEvent = BestExecutionAlgoEvent;

/** What the stack shows of an algo: its machine's state and the context that matters. */
export interface AlgoView {
  state: string;
  /** The algo's own name for the broker order it placed (events to it carry this). */
  orderRef: string | null;
  /** Quantity filled so far, in the broker order's units. */
  filled: number;
  context: Record<string, unknown>;
}

/** The algo actors of one stack handler: one per worked broker order, started from the record. */
export class AlgoActors {
  readonly market = new MachineActors(marketAlgoMachine, (r: MarketAlgoRecord) => r.input);
  readonly best = new MachineActors(bestExecutionAlgoMachine, (r: BestAlgoRecord) => r.input);

  /** Start a new algo's actor; returns what it emitted (a market algo places its order at once). */
  start(r: AlgoRecord): AlgoEmitted[] {
    return r.name === 'best' ? this.best.start(r).emitted : this.market.start(r).emitted;
  }

  /** One event to the algo (a market algo takes no price events). */
  send(r: AlgoRecord, event: AlgoEvent): AlgoEmitted[] {
    if (r.name === 'best') return this.best.send(r, event).emitted;
    if (event.type.startsWith('PRICE_') || event.type.startsWith('BROKER_MODIF')) return [];
    return this.market.send(r, event as Parameters<typeof this.market.send>[1]).emitted;
  }

  stop(r: AlgoRecord): void {
    if (r.name === 'best') this.best.stop(r);
    else this.market.stop(r);
  }

  view(r: AlgoRecord): AlgoView {
    if (r.name === 'best') {
      const s = this.best.snapshot(r);
      const c = s.context;
      return {
        state: String(s.value),
        orderRef: c.orderRef,
        filled: c.ledger.fill[0] ?? 0,
        context: {
          algo: r.name,
          algoId: c.algoId,
          brokerOrderType: c.brokerOrderType,
          limitPrice: c.limitPrice,
          referenceOffside: c.referenceSnapshot
            ? c.side === 1
              ? c.referenceSnapshot.bid
              : c.referenceSnapshot.ask
            : null,
          submittedAt: c.submittedAt,
          passiveDeadline: c.passiveDeadline,
          totalDeadline: c.totalDeadline,
          cancelDeadline: c.cancelDeadline,
          aggressiveReason: c.aggressiveReason,
          outcome: c.outcome,
        },
      };
    }
    const s = this.market.snapshot(r);
    const c = s.context;
    return {
      state: String(s.value),
      orderRef: c.slice?.orderRef ?? null,
      filled: c.ledger.fill[0] ?? 0,
      context: {
        algo: r.name,
        algoId: c.algoId,
        brokerOrderType: c.brokerOrderType,
        placedAt: c.slice?.placedAt ?? null,
        deadline: c.slice?.deadline ?? null,
        cancelDeadline: c.cancelDeadline,
        outcome: c.outcome,
      },
    };
  }
}

/** The algo working a broker order, if any (a manual broker order has none). */
export function algoOf(core: StackCore, brokerOrderId: number): AlgoView | undefined {
  const bo = core.brokerOrder(brokerOrderId);
  return bo?.algo ? core.algos.view(bo.algo) : undefined;
}

/**
 * Send one event to a broker order's algo. A transition (state changed, or a command emitted) is
 * recorded as the broker order's event `ALGO_<type>` (journalled with the order, deferred like a
 * fill: a restore re-derives it) and published for inspection. Returns what the algo emitted.
 */
export function sendAlgo(core: StackCore, bo: BrokerOrder, event: AlgoEvent): AlgoEmitted[] {
  const rec = bo.algo;
  if (!rec) return [];
  const before = core.algos.view(rec).state;
  if (before === 'done') return [];
  const emitted = core.algos.send(rec, event);
  const after = core.algos.view(rec).state;
  const acted = emitted.some((e) => e.type !== 'ignored');
  if (after !== before || acted) recordAlgo(core, bo, `ALGO_${event.type}`);
  for (const e of emitted) {
    if (e.type === 'warning') core.log.warn({ broker_order_id: bo.id, ...e }, 'algo: warning');
  }
  return emitted;
}

/** Journal the algo's state with its broker order and publish it for inspection. */
export function recordAlgo(core: StackCore, bo: BrokerOrder, event: string): void {
  core.host.change('broker', bo.id, event, () => undefined, { defer: true });
  publishAlgo(core, bo, event);
}

/** `<prefix>.inspect.order.algo.<brokerOrderId>`: the algo actor's transition. */
export function publishAlgo(core: StackCore, bo: BrokerOrder, event: string): void {
  const { nc, prefix, config } = core.deps;
  if (!nc || config.inspect === false || !bo.algo) return;
  const v = core.algos.view(bo.algo);
  const body = {
    kind: 'algo',
    id: bo.id,
    root: core.rootOf(bo),
    event,
    version: bo.version,
    state: v.state,
    context: {
      ...v.context,
      brokerOrderId: bo.id,
      contractOrderId: bo.parent ?? null,
      parent: bo.parent ?? null,
    },
    at: core.now(),
  };
  nc.publish(subject(prefix, 'inspect', 'order', 'algo', String(bo.id)), JSON.stringify(body));
}
