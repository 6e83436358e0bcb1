/** Input, context, event and emitted-event types of machines/broker-order.ts (re-exported there). */
import type { BrokerIds, BrokerOrderFields, Fill, FillLedger } from '../../src/domain/orders/index.ts';

export interface BrokerOrderInput {
  readonly order: BrokerOrderFields;
}

export interface BrokerOrderContext extends BrokerIds {
  readonly order: BrokerOrderFields;
  readonly ledger: FillLedger;
  readonly submitDatetime: number | null;
  /** The working limit (modified by the algo); `order.limitPrice` keeps the initial one. */
  readonly currentLimitPrice: number | null;
  readonly algoComment: string;
  readonly acknowledged: boolean;
  readonly rejectReason: string | null;
  /** False once the family completed (the host sends DEACTIVATE, G1/G2); one-way. */
  readonly active: boolean;
  /** The reference's transactional `locked` flag (digest §1.0), kept for the stack handler. */
  readonly locked: boolean;
}

export type BrokerOrderEvent =
  /**
   * The broker took the order. `brokerPermId` when its answer already carried the permanent id
   * (IB gives it on placement): the order was acknowledged at once, one event instead of two.
   */
  | { type: 'SUBMITTED'; brokerTempId: string; submitDatetime: number; brokerPermId?: string }
  | { type: 'SUBMIT_FAILED'; reason: string }
  | { type: 'ACKNOWLEDGED'; brokerPermId: string }
  | { type: 'FILL'; fill: Fill }
  | { type: 'COMMISSION'; fillId: string; commission: number }
  /** The broker corrected a fill already applied (same fill id): `original` as applied, `corrected` now. */
  | { type: 'FILL_CORRECTED'; original: Fill; corrected: Fill }
  | { type: 'MODIFIED'; limitPrice: number }
  | { type: 'CANCEL_REQUESTED' }
  | { type: 'CANCEL_REJECTED'; reason: string }
  | { type: 'CANCELLED' }
  | { type: 'REJECTED'; reason: string }
  | { type: 'BROKER_MESSAGE'; text: string }
  | { type: 'DEACTIVATE' }
  | { type: 'LOCK' }
  | { type: 'UNLOCK' };

export type BrokerOrderEmitted =
  | {
      type: 'fillApplied';
      orderId: string;
      parentId: string | null;
      orderRef: string;
      fill: Fill;
      cumulativeFill: number[];
      filledPrice: number | null;
    }
  | { type: 'filled'; orderId: string; parentId: string | null; orderRef: string }
  | {
      type: 'fillCorrected';
      orderId: string;
      parentId: string | null;
      original: Fill;
      corrected: Fill;
      cumulativeFill: number[];
      filledPrice: number | null;
    }
  | { type: 'cancelled'; orderId: string; parentId: string | null; orderRef: string; fill: number[] }
  | { type: 'rejected'; orderId: string; parentId: string | null; orderRef: string; reason: string }
  | { type: 'cancelFailed'; orderId: string; orderRef: string; reason: string }
  | { type: 'overfilled'; orderId: string; fillId: string; overfill: number[] }
  | { type: 'lateFill'; orderId: string; fillId: string; after: 'cancel' | 'reject' }
  | { type: 'duplicateFill'; orderId: string; fillId: string }
  | { type: 'invalidFill'; orderId: string; fillId: string; reason: string }
  | { type: 'ignored'; orderId: string; eventType: string; reason: string };
