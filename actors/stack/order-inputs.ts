/**
 * What an order's machine starts from: its input, built from the order's record (machines/*-order.ts
 * take the reference's order fields), its legs, the child it registers with its parent, and the
 * state a record carries until its machine's first snapshot is read off (order-actors.ts).
 */
import type { ChildSpec } from '../../machines/instrument-order.ts';
import type {
  BrokerOrder,
  BrokerOrderState,
  ContractOrder,
  ContractOrderState,
  InstrumentOrder,
  InstrumentOrderState,
} from './types.ts';

/** A contract order's child id for a fill made by hand (no broker order): `manual:<execId>`. */
export const MANUAL_CHILD = 'manual:';

/**
 * An order's legs as its machine holds them: a calendar spread's (`legs`: trade vector and
 * contract dates, sorted by contract date), else its one contract.
 */
export function orderLegs(o: Pick<ContractOrder, 'legs' | 'trade' | 'contractDate'>): {
  trade: number[];
  contractDates: string[];
} {
  return o.legs
    ? { trade: o.legs.map((l) => l.qty), contractDates: o.legs.map((l) => l.contractDate) }
    : { trade: [o.trade], contractDates: [o.contractDate] };
}

/** A child order as its parent's machine registers it (CHILDREN_SPAWNED, BROKER_ORDER_CREATED). */
export function childSpec(o: Pick<ContractOrder, 'id' | 'legs' | 'trade' | 'contractDate'>): ChildSpec {
  return { orderId: String(o.id), ...orderLegs(o) };
}

export function brokerMachineInput(bo: BrokerOrder, brokerName: string) {
  return {
    order: {
      orderId: String(bo.id),
      parentId: bo.parent === undefined ? null : String(bo.parent),
      strategyName: bo.strategyName,
      instrumentCode: bo.instrumentCode,
      ...orderLegs(bo),
      generatedDatetime: bo.createdAt,
      manualTrade: bo.manualTrade,
      rollOrder: bo.rollOrder,
      orderType: bo.brokerOrderType,
      algoUsed: bo.algoUsed,
      limitPrice: bo.limitPrice ?? null,
      sidePrice: bo.sidePrice ?? null,
      midPrice: bo.midPrice ?? null,
      offsidePrice: bo.offsidePrice ?? null,
      manualFill: bo.manualFill,
      calendarSpreadOrder: (bo.legs?.length ?? 1) > 1,
      broker: brokerName,
      brokerAccount: '',
      brokerClientId: 0,
      orderRef: bo.orderRef,
    },
  };
}

export function contractMachineInput(co: ContractOrder) {
  return {
    order: {
      orderId: String(co.id),
      parentId: co.parent === undefined ? null : String(co.parent),
      strategyName: co.strategyName,
      instrumentCode: co.instrumentCode,
      ...orderLegs(co),
      generatedDatetime: co.createdAt,
      manualTrade: co.manualTrade,
      rollOrder: co.rollOrder,
      orderType: co.orderType,
      algoToUse: co.algoToUse,
      referencePrice: co.referencePrice ?? null,
      limitPrice: co.limitPrice ?? null,
      manualFill: false,
      calendarSpreadOrder: (co.legs?.length ?? 1) > 1,
      interSpreadOrder: false,
    },
  };
}

/** An instrument order's machine input; a roll order is created with its children (J4). */
export function instrumentMachineInput(io: InstrumentOrder, children?: readonly ChildSpec[]) {
  return {
    ...(children && children.length > 0 ? { children } : {}),
    order: {
      orderId: String(io.id),
      parentId: null,
      strategyName: io.strategyName,
      instrumentCode: io.instrumentCode,
      trade: [io.trade],
      generatedDatetime: io.createdAt,
      manualTrade: io.manualTrade,
      rollOrder: io.rollOrder,
      orderType: io.orderType,
      limitPrice: io.limitPrice ?? null,
      limitContract: io.limitContract ?? null,
      referencePrice: io.referencePrice ?? null,
      referenceContract: io.referenceContract ?? null,
      referenceDatetime: io.referenceDatetime ?? null,
    },
  };
}

/** The state a new order's record carries until its machine's first snapshot is read off. */
export const BROKER_INITIAL: BrokerOrderState = 'created';
export const CONTRACT_INITIAL: ContractOrderState = 'new';
export const INSTRUMENT_INITIAL: InstrumentOrderState = 'new';
