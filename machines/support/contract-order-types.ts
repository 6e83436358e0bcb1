/** Input, context, event and emitted-event types of machines/contract-order.ts (re-exported there). */
import type {
  CompletionMode,
  ContractOrderFields,
  Fill,
  ParentFillState,
} from '../../src/domain/orders/index.ts';
import type { ChildSpec } from './children.ts';

export interface ContractOrderInput {
  readonly order: ContractOrderFields;
}

export interface ContractOrderContext extends ParentFillState {
  readonly order: ContractOrderFields;
  /** `reference_of_controlling_algo`: the algo that owns the order, or null (A3). */
  readonly algoControlledBy: string | null;
  readonly cancelledChildIds: readonly string[];
  readonly rejectedChildIds: readonly string[];
  readonly active: boolean;
  readonly locked: boolean;
  readonly completion: CompletionMode | null;
}

export type ContractOrderEvent =
  /** `child`: the broker order the algo placed as it took the lock (D3), added with it. */
  | { type: 'ALGO_CONTROL'; algo: string; child?: ChildSpec }
  | { type: 'ALGO_RELEASE'; algo: string }
  | { type: 'BROKER_ORDER_CREATED'; child: ChildSpec }
  | { type: 'CHILD_FILL'; childId: string; fill: Fill }
  /** A broker's correction of a child fill already recorded (same fill id). */
  | { type: 'CHILD_FILL_CORRECTED'; childId: string; original: Fill; corrected: Fill }
  | { type: 'CHILD_CANCELLED'; childId: string }
  | { type: 'CHILD_REJECTED'; childId: string; reason: string }
  | { type: 'CANCEL'; reason: string }
  | { type: 'END_OF_DAY' }
  | { type: 'LOCK' }
  | { type: 'UNLOCK' };

export type ContractOrderEmitted =
  | {
      type: 'fillApplied';
      orderId: string;
      parentId: string | null;
      instrumentCode: string;
      contractDates: string[];
      childId: string;
      fill: Fill;
      delta: number[];
      cumulativeFill: number[];
      filledPrice: number | null;
    }
  | {
      type: 'fillCorrected';
      orderId: string;
      parentId: string | null;
      childId: string;
      original: Fill;
      corrected: Fill;
      cumulativeFill: number[];
      filledPrice: number | null;
    }
  | { type: 'overfilled'; orderId: string; fillId: string; overfill: number[] }
  | { type: 'duplicateFill'; orderId: string; childId: string; fillId: string }
  | { type: 'invalidFill'; orderId: string; childId: string; fillId: string; reason: string }
  | { type: 'unknownChildFill'; orderId: string; childId: string; fillId: string }
  | { type: 'controlRefused'; orderId: string; algo: string; controlledBy: string | null; reason: string }
  | { type: 'releaseRefused'; orderId: string; algo: string; controlledBy: string | null }
  | { type: 'algoReleased'; orderId: string; algo: string; remaining: number[] }
  /** ALGO_RELEASE while a broker child may still trade: the lock goes once it is settled. */
  | { type: 'releasePending'; orderId: string; algo: string; workingChildIds: string[] }
  | { type: 'cancelChildren'; orderId: string; childIds: string[]; reason: string }
  | {
      type: 'completed';
      orderId: string;
      parentId: string | null;
      mode: CompletionMode;
      fill: number[];
      filledPrice: number | null;
      fillDatetime: number | null;
      childIds: string[];
    }
  /** A completed order took a correction of a child fill: its fill and price changed. */
  | {
      type: 'completionAmended';
      orderId: string;
      parentId: string | null;
      mode: CompletionMode;
      fillId: string;
      fill: number[];
      filledPrice: number | null;
      fillDatetime: number | null;
    }
  | { type: 'ignored'; orderId: string; eventType: string; reason: string };
