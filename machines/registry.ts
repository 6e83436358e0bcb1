/**
 * Every machine of machines/ (the order lifecycle, the strategy machine, one process run, ...), with a name (its file name) and a description, for the CLI
 * (`systack machines list | diagram`), docs/machines.md and the visualizer.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { bestExecutionAlgoMachine } from './algo-best-execution.ts';
import { marketAlgoMachine } from './algo-market.ts';
import { brokerOrderMachine } from './broker-order.ts';
import { contractOrderMachine } from './contract-order.ts';
import { describeMachine } from './diagram.ts';
import { ibConnectionMachine } from './ib-connection.ts';
import { instrumentLockMachine } from './instrument-lock.ts';
import { instrumentOrderMachine } from './instrument-order.ts';
import { processMachine } from './process.ts';
import { rollStatusMachine } from './roll-status.ts';
import { strategyMachine } from './strategy.ts';

export interface MachineEntry {
  readonly name: string;
  readonly description: string;
  readonly machine: AnyStateMachine;
}

export const machineRegistry: readonly MachineEntry[] = [
  {
    name: 'instrument-order',
    description:
      'Strategy × instrument order: spawns contract orders, aggregates their fills (single, passive-roll distributed, zero-trade roll), completes strictly or at end of day (digest §1.1, F4–F7, G1–G2).',
    machine: instrumentOrderMachine,
  },
  {
    name: 'contract-order',
    description:
      'Instrument × contract date(s) order, one or two legs: algo soft lock, broker children, quantity-weighted fills, completion (digest §1.2, A3, D3, F3, G1).',
    machine: contractOrderMachine,
  },
  {
    name: 'broker-order',
    description:
      'Order at the broker: submitted, acknowledged, fills (late, duplicate, overfill handled), cancel pending / failed / cancelled, rejected (digest §1.3, F2; NautilusTrader table).',
    machine: brokerOrderMachine,
  },
  {
    name: 'algo-market',
    description: 'Market algo: one-contract slices, each cancelled after 10 minutes (digest §2 E1).',
    machine: marketAlgoMachine,
  },
  {
    name: 'algo-best-execution',
    description:
      'Original best-execution algo: passive limit unless imbalance or close says market, turns aggressive on timeout / close / adverse move / size, cancels at 10 minutes (digest §2 E2).',
    machine: bestExecutionAlgoMachine,
  },
  {
    name: 'instrument-lock',
    description:
      'Instrument lock: locked on a broker vs contract position break, auto-unlocked when they agree; a manual lock only unlocks manually (digest §2 H1, H4).',
    machine: instrumentLockMachine,
  },
  {
    name: 'roll-status',
    description:
      'Roll status of one instrument: No_Roll, Passive, Force, Force_Outright, Close, No_Open, Roll_Adjusted; manual changes allowed by the priced-contract position, auto-downgrade to Passive, the price roll on Roll_Adjusted (digest §3).',
    machine: rollStatusMachine,
  },
  {
    name: 'strategy',
    description:
      'One strategy: its system runs (run_systems, CLOCK_TICK by frequency and max_executions) and its numbered order generations (run_strategy_order_generator, GENERATE_ORDERS); an actor per strategy under the supervisor, persisted in KV; STOP waits for the current run (digest §4 P8, P12, §2 B1).',
    machine: strategyMachine,
  },
  {
    name: 'ib-connection',
    description:
      'Interactive Brokers connection: 1100 no new orders (in-flight orders stay), 1101 resubscribe and resynchronise, 1102 restored, 326 next client id, socket loss reconnect with backoff forever; open orders, executions, positions and reconcile before any new order (stack-notes §1).',
    machine: ibConnectionMachine,
  },
  {
    name: 'process',
    description:
      'One run of one process (`systack run`): waits for its window, status and previous process, takes the lease, runs its methods by frequency and max_executions (PAUSE skips them), stops on STOP / all done / past stop time, then its completion methods; a failed method or ABANDON is a crash, a lost lease ends it (digest §4 P6–P10). Nested states are drawn beside their parent: `running` starts in `choosing`, `finishing` in `next`.',
    machine: processMachine,
  },
];

export function machineNames(): string[] {
  return machineRegistry.map((m) => m.name);
}

export function findMachine(name: string): MachineEntry | undefined {
  return machineRegistry.find((m) => m.name === name);
}

/** The event types a machine handles anywhere (xstate's own wildcard excluded). */
export function eventTypesOf(machine: AnyStateMachine): string[] {
  const types = new Set<string>();
  const walk = (node: AnyStateNode): void => {
    for (const key of node.transitions.keys()) if (key !== '*' && key !== '') types.add(key);
    for (const child of Object.values(node.states) as AnyStateNode[]) walk(child);
  };
  walk(machine.root);
  return [...types].sort();
}

export interface MachineSummary {
  readonly name: string;
  readonly id: string;
  readonly description: string;
  readonly initial: string | null;
  readonly states: string[];
  readonly finalStates: string[];
  readonly events: string[];
}

export function summarize(entry: MachineEntry): MachineSummary {
  const d = describeMachine(entry.machine);
  return {
    name: entry.name,
    id: d.id,
    description: entry.description,
    initial: d.states.find((s) => s.initial)?.key ?? null,
    states: d.states.map((s) => s.key),
    finalStates: d.states.filter((s) => s.final).map((s) => s.key),
    events: eventTypesOf(entry.machine),
  };
}
