/** Input, context, event and emitted-event types of machines/instrument-order.ts (re-exported there). */
import type {
  CompletionMode,
  FamilyKind,
  Fill,
  InstrumentOrderFields,
  ParentFillState,
} from '../../src/domain/orders/index.ts';
import type { ChildSpec } from './children.ts';

export interface InstrumentOrderInput {
  readonly order: InstrumentOrderFields;
  readonly children?: readonly ChildSpec[];
}

export interface InstrumentOrderContext extends ParentFillState {
  readonly order: InstrumentOrderFields;
  readonly family: FamilyKind;
  readonly active: boolean;
  readonly locked: boolean;
  readonly completion: CompletionMode | null;
}

export type InstrumentOrderEvent =
  | { type: 'CHILDREN_SPAWNED'; children: ChildSpec[] }
  | { type: 'CHILD_FILL'; childId: string; fill: Fill }
  /** A broker's correction of a child fill already recorded (same fill id). */
  | { type: 'CHILD_FILL_CORRECTED'; childId: string; original: Fill; corrected: Fill }
  | { type: 'CHILD_COMPLETED'; childId: string }
  | { type: 'CANCEL'; reason: string }
  | { type: 'END_OF_DAY' }
  | { type: 'LOCK' }
  | { type: 'UNLOCK' };

export type InstrumentOrderEmitted =
  | {
      type: 'fillApplied';
      orderId: string;
      strategyName: string;
      instrumentCode: string;
      childId: string;
      fill: Fill;
      delta: number[];
      cumulativeFill: number[];
      filledPrice: number | null;
    }
  | {
      type: 'fillCorrected';
      orderId: string;
      childId: string;
      fillId: string;
      cumulativeFill: number[];
      filledPrice: number | null;
    }
  | { type: 'overfilled'; orderId: string; fillId: string; overfill: number[] }
  | { type: 'duplicateFill'; orderId: string; childId: string; fillId: string }
  | { type: 'invalidFill'; orderId: string; childId: string; fillId: string; reason: string }
  | { type: 'unknownChildFill'; orderId: string; childId: string; fillId: string }
  | { type: 'unsupportedFamily'; orderId: string; childIds: string[] }
  | { type: 'spawnRefused'; orderId: string; reason: string }
  | { type: 'cancelChildren'; orderId: string; childIds: string[]; reason: string }
  | {
      type: 'completed';
      orderId: string;
      mode: CompletionMode;
      fill: number[];
      filledPrice: number | null;
      fillDatetime: number | null;
      childIds: string[];
    }
  /** A completed order took a correction of a child fill: the family's history is amended. */
  | {
      type: 'completionAmended';
      orderId: string;
      mode: CompletionMode;
      fillId: string;
      fill: number[];
      filledPrice: number | null;
      fillDatetime: number | null;
    }
  | { type: 'ignored'; orderId: string; eventType: string; reason: string };
