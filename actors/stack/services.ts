import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import * as S from '../../src/bus/schemas/orders.ts';
import { type EndpointSpec, endpoint, startService } from '../../src/bus/service.ts';
import { subject } from '../../src/bus/subjects.ts';
import {
  balanceTrade,
  cancelBrokerOrder,
  deleteOrder,
  deleteStack,
  manualFillBrokerOrder,
  manualFillContractOrder,
  removeAlgoLock,
  setOrderLock,
} from './manual.ts';
import { netInstrumentOrders } from './net.ts';
import { checkOrderRequest } from './request-checks.ts';
import { type NewInstrumentOrder, StackRequestError } from './spawn.ts';
import type { Universe } from '../universe.ts';
import type { StackHandler } from './stack-handler.ts';

/** Subject suffixes (after `<prefix>.orders.`) of every order stack endpoint. */
export const ORDER_ENDPOINTS = [
  'instrument.create',
  'manual.trade',
  'view.instrument',
  'view.contract',
  'view.broker',
  'view.broker_live',
  'view.order',
  'view.positions',
  'spawn',
  'broker.create',
  'fill.broker',
  'fill.contract',
  'balance.trade',
  'balance.instrument',
  'broker.cancel',
  'net',
  'lock.order',
  'lock.instrument',
  'algo.unlock',
  'delete.order',
  'delete.stack',
  'eod',
] as const;
export type OrderEndpoint = (typeof ORDER_ENDPOINTS)[number];

/** An instrument order request body (snake case, as on the wire) as the stack handler takes it. */
export function toNewInstrumentOrder(
  b: S.CreateInstrumentOrderBody,
  manualTrade: boolean,
): NewInstrumentOrder {
  return {
    strategyName: b.strategy_name,
    instrumentCode: b.instrument_code,
    trade: b.trade,
    orderType: b.order_type,
    referencePrice: b.reference_price,
    referenceContract: b.reference_contract,
    referenceDatetime:
      typeof b.reference_datetime === 'string' ? Date.parse(b.reference_datetime) : b.reference_datetime,
    limitPrice: b.limit_price,
    limitContract: b.limit_contract,
    manualTrade,
  };
}

/**
 * The order stack services (interactive_order_stack, digest H4) on the NATS micro-services
 * protocol (`systack-orders`): each endpoint is `<prefix>.orders.<name>` with a JSON body.
 * Bad input gets an error reply (400 with what is wrong, 404 unknown order, 409 refused by a
 * rule) before anything changes: the zod schema first, then, for every mutating endpoint, the
 * checks against `universe` (known instruments and strategies, position limits, max_order_qty).
 */
export async function startOrderServices(
  nc: NatsConnection,
  h: StackHandler,
  prefix: string,
  universe: Universe,
): Promise<Service> {
  const core = h.core;
  const checks = { universe, positions: () => h.positions(), isLocked: (i: string) => core.isLocked(i) };
  const eps: EndpointSpec[] = [];
  const add = <Sc extends z.ZodType>(
    name: OrderEndpoint,
    description: string,
    schema: Sc,
    handler: (b: z.infer<Sc>) => unknown,
  ) => {
    eps.push(
      endpoint({
        name: name.replace(/\./g, '_'),
        subject: subject(prefix, 'orders', ...name.split('.')),
        description,
        schema,
        handler: async (b: z.infer<Sc>) => {
          if (!name.startsWith('view.')) await checkOrderRequest(checks, name, b as Record<string, unknown>);
          return handler(b);
        },
      }),
    );
  };
  const view = (level: 'instrument' | 'contract' | 'broker') => (b: { active_only?: boolean }) =>
    core.orders(level).filter((o) => !b.active_only || o.active);
  const newOrder = (b: S.CreateInstrumentOrderBody, manualTrade: boolean) =>
    h.createInstrumentOrder(toNewInstrumentOrder(b, manualTrade));

  add(
    'instrument.create',
    'Put an instrument order on the stack (netting on insert)',
    S.createInstrumentOrderBody,
    (b) => newOrder(b, false),
  );
  add(
    'manual.trade',
    'Manual trade: an instrument order that will be executed',
    S.createInstrumentOrderBody,
    (b) => newOrder(b, true),
  );
  add('view.instrument', 'Instrument order stack', S.viewStackBody, view('instrument'));
  add('view.contract', 'Contract order stack', S.viewStackBody, view('contract'));
  add('view.broker', 'Broker order stack (as stored)', S.viewStackBody, view('broker'));
  add('view.broker_live', 'Orders and fills from the broker API', S.emptyBody, async () => ({
    orders: await core.deps.broker.orders(),
    fills: await core.deps.broker.fills(),
  }));
  add('view.order', 'One order on any stack', S.viewOrderBody, (b) => {
    const o = core.host.get(b.level, b.order_id);
    if (!o) throw new StackRequestError(404, `${b.level} order ${b.order_id} not found`);
    return o;
  });
  add(
    'view.positions',
    'Contract and strategy positions, broker positions, locks',
    S.emptyBody,
    async () => ({
      ...h.positions(),
      broker: await core.deps.broker.positions(),
      locks: Object.fromEntries(core.locks),
      lock_reasons: Object.fromEntries(core.lockActors.notes()),
    }),
  );
  add('spawn', 'Spawn contract orders from new instrument orders', S.emptyBody, () =>
    h.spawnChildrenFromNewInstrumentOrders(),
  );
  add('broker.create', 'Create broker orders from contract orders', S.emptyBody, () =>
    h.createBrokerOrdersFromContractOrders(),
  );
  add('fill.broker', 'Manually fill a broker order', S.manualFillBody, (b) =>
    manualFillBrokerOrder(core, b.order_id, b.price, b.qty),
  );
  add('fill.contract', 'Manually fill a contract order', S.manualFillBody, (b) =>
    manualFillContractOrder(core, b.order_id, b.price, b.qty),
  );
  add('balance.trade', 'Balance trade (filled, not executed)', S.balanceTradeBody, (b) =>
    balanceTrade(core, {
      strategyName: b.strategy_name,
      instrumentCode: b.instrument_code,
      contractDate: b.contract_date,
      qty: b.qty,
      price: b.price,
      requestId: b.request_id,
    }),
  );
  add(
    'balance.instrument',
    'Balance instrument trade (strategy level only)',
    S.balanceInstrumentTradeBody,
    (b) =>
      balanceTrade(core, {
        strategyName: b.strategy_name,
        instrumentCode: b.instrument_code,
        qty: b.qty,
        price: b.price,
        requestId: b.request_id,
        instrumentOnly: true,
      }),
  );
  add('broker.cancel', 'Cancel a broker order at the broker', S.orderIdBody, (b) =>
    cancelBrokerOrder(core, b.order_id),
  );
  add('net', 'Net new instrument orders per strategy and instrument', S.emptyBody, () =>
    netInstrumentOrders(core),
  );
  add('lock.order', 'Lock or unlock an order', S.lockOrderBody, (b) => {
    setOrderLock(core, b.level, b.order_id, b.locked);
    return { level: b.level, order_id: b.order_id, locked: b.locked };
  });
  add('lock.instrument', 'Lock or unlock an instrument', S.lockInstrumentBody, async (b) => {
    await core.setLock(b.instrument_code, b.locked ? 'manual' : undefined, b.reason);
    return {
      instrument_code: b.instrument_code,
      locked: b.locked,
      ...(b.reason === undefined ? {} : { reason: b.reason }),
    };
  });
  add('algo.unlock', 'Remove the algo lock on a contract order', S.orderIdBody, (b) =>
    removeAlgoLock(core, b.order_id),
  );
  add('delete.order', 'Delete one order (not cancelled at the broker)', S.deleteOrderBody, async (b) => {
    await deleteOrder(core, b.level, b.order_id);
    return { deleted: b };
  });
  add('delete.stack', 'Delete every order on every stack', S.deleteStackBody, async () => ({
    deleted: await deleteStack(core),
  }));
  add('eod', `End of day: safe stack removal (body {"confirm": "${S.EOD_CONFIRM}"})`, S.eodBody, () =>
    h.safeStackRemoval(),
  );
  return startService(nc, {
    name: 'systack-orders',
    version: '0.1.0',
    description: 'Order stacks: view, create, fill, balance, cancel, lock, delete, end of day',
    endpoints: eps,
  });
}
