/**
 * Pure-step throughput of the order machines, and the cost of persisting / restoring snapshots
 * (what the stack handler does per event). Prints JSON. Run: npx tsx bench/machines-step.ts
 */
import { bestExecutionAlgoMachine } from '../machines/algo-best-execution.ts';
import { brokerOrderMachine } from '../machines/broker-order.ts';
import { contractOrderMachine } from '../machines/contract-order.ts';
import { familyBench } from './machines-family.ts';
import { persist, restore, start, step } from '../machines/step.ts';
import type { BrokerOrderFields, ContractOrderFields } from '../src/domain/orders/index.ts';

const T0 = Date.UTC(2026, 10, 20, 14);
const base = {
  parentId: 'C1',
  strategyName: 's',
  instrumentCode: 'SOFR',
  generatedDatetime: T0,
  manualTrade: false,
  rollOrder: false,
  manualFill: false,
  calendarSpreadOrder: false,
};
const broker: BrokerOrderFields = {
  ...base,
  orderId: 'B1',
  trade: [100],
  contractDates: ['20261200'],
  orderType: 'limit',
  algoUsed: 'best',
  limitPrice: 95.5,
  sidePrice: null,
  midPrice: null,
  offsidePrice: null,
  broker: 'ib',
  brokerAccount: 'DU1',
  brokerClientId: 1,
  orderRef: 'r/1',
};
const contract: ContractOrderFields = {
  ...base,
  orderId: 'C1',
  parentId: 'I1',
  trade: [100],
  contractDates: ['20261200'],
  orderType: 'best',
  algoToUse: 'best',
  referencePrice: null,
  limitPrice: null,
  interSpreadOrder: false,
};

function timeIt(label: string, rounds: number, body: () => number) {
  const t0 = performance.now();
  let steps = 0;
  for (let i = 0; i < rounds; i++) steps += body();
  const ms = performance.now() - t0;
  return { label, rounds, steps, ms: Number(ms.toFixed(1)), stepsPerSec: Math.round((steps / ms) * 1000) };
}

const brokerFills = timeIt('broker-order: submit + 100 one-lot fills', 20, () => {
  let s = start(brokerOrderMachine, { order: broker }).snapshot;
  s = step(brokerOrderMachine, s, { type: 'SUBMITTED', brokerTempId: 't', submitDatetime: T0 }).snapshot;
  for (let i = 0; i < 100; i++) {
    s = step(brokerOrderMachine, s, {
      type: 'FILL',
      fill: { fillId: `e${i}`, qty: [1], price: 95.5, datetime: T0 + i },
    }).snapshot;
  }
  return 101;
});

const contractFills = timeIt('contract-order: 10 broker children x 10 fills', 20, () => {
  let s = start(contractOrderMachine, { order: contract }).snapshot;
  s = step(contractOrderMachine, s, { type: 'ALGO_CONTROL', algo: 'a' }).snapshot;
  let n = 1;
  for (let c = 0; c < 10; c++) {
    s = step(contractOrderMachine, s, {
      type: 'BROKER_ORDER_CREATED',
      child: { orderId: `B${c}`, trade: [10], contractDates: ['20261200'] },
    }).snapshot;
    for (let i = 0; i < 10; i++) {
      s = step(contractOrderMachine, s, {
        type: 'CHILD_FILL',
        childId: `B${c}`,
        fill: { fillId: `e${c}.${i}`, qty: [1], price: 95.5, datetime: T0 },
      }).snapshot;
      n += 1;
    }
    n += 1;
  }
  return n;
});

const algoTicks = timeIt('best-execution: snapshot + 1000 ticks/prices', 5, () => {
  const input = {
    algoId: 'A',
    contractOrderId: 'C1',
    orderType: 'best' as const,
    trade: [1],
    tickSize: 0.005,
    closeAt: null,
    now: T0,
  };
  let s = start(bestExecutionAlgoMachine, input).snapshot;
  for (let i = 0; i < 1000; i++) {
    const ev =
      i % 2 === 0
        ? { type: 'CLOCK_TICK' as const, now: T0 + i * 100 }
        : {
            type: 'PRICE_SNAPSHOT' as const,
            snapshot: {
              bid: 95.5,
              ask: 95.505 + (i % 3) * 0.005,
              bidSize: 10,
              askSize: 10,
              at: T0 + i * 100,
            },
          };
    s = step(bestExecutionAlgoMachine, s, ev).snapshot;
  }
  return 1000;
});

// persistence: a contract order with 10 children and 100 fills
let big = start(contractOrderMachine, { order: contract }).snapshot;
for (let c = 0; c < 10; c++) {
  big = step(contractOrderMachine, big, {
    type: 'BROKER_ORDER_CREATED',
    child: { orderId: `B${c}`, trade: [10], contractDates: ['20261200'] },
  }).snapshot;
  for (let i = 0; i < 10; i++) {
    big = step(contractOrderMachine, big, {
      type: 'CHILD_FILL',
      childId: `B${c}`,
      fill: { fillId: `e${c}.${i}`, qty: [1], price: 95.5, datetime: T0 },
    }).snapshot;
  }
}
const json = JSON.stringify(persist(contractOrderMachine, big));
const rounds = 200;
const t0 = performance.now();
for (let i = 0; i < rounds; i++) {
  const back = restore(contractOrderMachine, JSON.parse(JSON.stringify(persist(contractOrderMachine, big))));
  if (back.value !== big.value) throw new Error('restore mismatch');
}
const persistMs = (performance.now() - t0) / rounds;

process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'machines-step',
      node: process.version,
      results: [brokerFills, contractFills, algoTicks],
      orderFamily: familyBench(3000, 1000),
      persistence: {
        machine: 'contract-order (10 children, 100 fills)',
        snapshotBytes: json.length,
        persistRestoreMsEach: Number(persistMs.toFixed(3)),
      },
    },
    null,
    2,
  )}\n`,
);
