/** Order fixtures for machine tests. */
import type {
  BrokerOrderFields,
  ContractOrderFields,
  Fill,
  InstrumentOrderFields,
} from '../../../src/domain/orders/index.ts';

export const T0 = Date.UTC(2026, 10, 20, 14, 0, 0);

export function instrumentOrder(over: Partial<InstrumentOrderFields> = {}): InstrumentOrderFields {
  return {
    orderId: 'I1',
    parentId: null,
    strategyName: 'medium_speed_TF_carry',
    instrumentCode: 'SOFR',
    trade: [5],
    generatedDatetime: T0,
    manualTrade: false,
    rollOrder: false,
    orderType: 'best',
    limitPrice: null,
    limitContract: null,
    referencePrice: 95.5,
    referenceContract: '20261200',
    referenceDatetime: T0 - 3_600_000,
    ...over,
  };
}

export function contractOrder(over: Partial<ContractOrderFields> = {}): ContractOrderFields {
  return {
    orderId: 'C1',
    parentId: 'I1',
    strategyName: 'medium_speed_TF_carry',
    instrumentCode: 'SOFR',
    trade: [5],
    contractDates: ['20261200'],
    generatedDatetime: T0,
    manualTrade: false,
    rollOrder: false,
    orderType: 'best',
    algoToUse: 'algoOriginalBest',
    referencePrice: 95.5,
    limitPrice: null,
    manualFill: false,
    calendarSpreadOrder: false,
    interSpreadOrder: false,
    ...over,
  };
}

export function brokerOrder(over: Partial<BrokerOrderFields> = {}): BrokerOrderFields {
  return {
    orderId: 'B1',
    parentId: 'C1',
    strategyName: 'medium_speed_TF_carry',
    instrumentCode: 'SOFR',
    trade: [3],
    contractDates: ['20261200'],
    generatedDatetime: T0,
    manualTrade: false,
    rollOrder: false,
    orderType: 'limit',
    algoUsed: 'algoOriginalBest',
    limitPrice: 95.5,
    sidePrice: 95.505,
    midPrice: 95.5025,
    offsidePrice: 95.5,
    manualFill: false,
    calendarSpreadOrder: false,
    broker: 'ib',
    brokerAccount: 'DU123',
    brokerClientId: 1,
    orderRef: 'C1-best/1',
    ...over,
  };
}

export function fill(
  fillId: string,
  qty: number[],
  price: number,
  datetime = T0,
  extra: Partial<Fill> = {},
): Fill {
  return { fillId, qty, price, datetime, ...extra };
}
