import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  type BrokerOrderFields,
  brokerOrderFieldsSchema,
  type ContractOrderFields,
  contractOrderFieldsSchema,
  type Fill,
  fillSchema,
  type InstrumentOrderFields,
  instrumentOrderFieldsSchema,
  parseOrThrow,
} from '../../src/domain/orders/index.ts';
import { brokerOrder, contractOrder, instrumentOrder } from '../machines/support/fixtures.ts';

// The schemas produce the value types the machines take.
type Assignable<A, B extends A> = B;
export type _Checks = [
  Assignable<InstrumentOrderFields, z.infer<typeof instrumentOrderFieldsSchema>>,
  Assignable<ContractOrderFields, z.infer<typeof contractOrderFieldsSchema>>,
  Assignable<BrokerOrderFields, z.infer<typeof brokerOrderFieldsSchema>>,
  Assignable<Fill, z.infer<typeof fillSchema>>,
];

describe('order schemas (validation at the edge)', () => {
  it('accept well-formed orders and fills', () => {
    expect(parseOrThrow(instrumentOrderFieldsSchema, instrumentOrder(), 'instrument order').orderId).toBe(
      'I1',
    );
    const spread = contractOrder({ trade: [-1, 1], contractDates: ['20261200', '20270300'] });
    expect(parseOrThrow(contractOrderFieldsSchema, spread, 'contract order').trade).toEqual([-1, 1]);
    expect(parseOrThrow(brokerOrderFieldsSchema, brokerOrder(), 'broker order').orderRef).toBe('C1-best/1');
    expect(parseOrThrow(fillSchema, { fillId: 'e1', qty: [1], price: 1, datetime: 0 }, 'fill').fillId).toBe(
      'e1',
    );
  });

  it('name what is wrong', () => {
    expect(() =>
      parseOrThrow(instrumentOrderFieldsSchema, instrumentOrder({ trade: [1, 2] }), 'instrument order'),
    ).toThrow('invalid instrument order: trade: an instrument order has a single leg (digest §1.1)');
    expect(() =>
      parseOrThrow(
        contractOrderFieldsSchema,
        contractOrder({ trade: [1, -1], contractDates: ['20270300', '20261200'] }),
        'contract order',
      ),
    ).toThrow('contractDates: legs must be sorted by contract date');
    expect(() =>
      parseOrThrow(contractOrderFieldsSchema, contractOrder({ trade: [1, -1] }), 'contract order'),
    ).toThrow('contractDates: one contract date per trade leg');
    expect(() =>
      parseOrThrow(brokerOrderFieldsSchema, { ...brokerOrder(), orderType: 'stop' }, 'broker order'),
    ).toThrow('invalid broker order: orderType');
    expect(() => parseOrThrow(fillSchema, { fillId: 'e1', qty: [0], price: 1, datetime: 0 }, 'fill')).toThrow(
      'qty: a fill has a non-zero quantity',
    );
    expect(() =>
      parseOrThrow(fillSchema, { fillId: 'e1', qty: [1.5], price: 1, datetime: 0 }, 'fill'),
    ).toThrow('invalid fill: qty.0');
  });
});
