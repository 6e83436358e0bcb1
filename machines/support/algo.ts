/**
 * Shared vocabulary of the execution-algo machines (digest §2 E): the commands an algo emits for
 * its host to perform, the broker events it receives, and its outcome.
 *
 * An algo never talks to the broker itself: it emits `placeBrokerOrder` / `modifyBrokerOrder` /
 * `cancelBrokerOrder`, and the host performs them and sends back BROKER_* events. Every broker
 * order an algo places carries a deterministic `orderRef` (`<algoId>/<n>`) that the host sends as
 * IB `orderRef`, so a restart never places the same order twice (stack-notes §1.3, §3.2).
 */
import type { BrokerOrderType, Fill, PriceSnapshot } from '../../src/domain/orders/index.ts';

export type AlgoOutcome =
  | 'filled'
  | 'timeout'
  | 'cancelledByBroker'
  | 'rejected'
  | 'stopped'
  | 'noPrices'
  | 'rejectedOrderType'
  | 'nothingToDo';

/** Events every algo receives from its host. Times are epoch ms from the clock port. */
export type AlgoBrokerEvent =
  | { type: 'CLOCK_TICK'; now: number }
  | { type: 'BROKER_ACK'; orderRef: string }
  | { type: 'BROKER_FILL'; orderRef: string; fill: Fill }
  | { type: 'BROKER_CANCELLED'; orderRef: string }
  | { type: 'BROKER_REJECTED'; orderRef: string; reason: string }
  | { type: 'STOP'; reason: string };

/** Commands and reports every algo emits. */
export type AlgoEmitted =
  | {
      type: 'placeBrokerOrder';
      algoId: string;
      contractOrderId: string;
      orderRef: string;
      trade: number[];
      orderType: BrokerOrderType;
      limitPrice: number | null;
      /** Prices at creation (side / mid / offside, digest §1.3), when a snapshot was available. */
      snapshot: PriceSnapshot | null;
    }
  | { type: 'modifyBrokerOrder'; algoId: string; orderRef: string; limitPrice: number }
  | { type: 'cancelBrokerOrder'; algoId: string; orderRef: string }
  | {
      type: 'finished';
      algoId: string;
      contractOrderId: string;
      outcome: AlgoOutcome;
      filled: number[];
      remaining: number[];
    }
  | { type: 'warning'; algoId: string; message: string }
  | { type: 'ignored'; algoId: string; eventType: string; reason: string };

export function orderRefFor(algoId: string, n: number): string {
  return `${algoId}/${n}`;
}

/** The latest time the algo knows: clock ticks and time-stamped events only move it forward. */
export function advanceNow(now: number, at: number | undefined): number {
  return at !== undefined && Number.isFinite(at) && at > now ? at : now;
}
