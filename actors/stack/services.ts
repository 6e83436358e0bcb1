import { type Service, type ServiceMsg, Svcm } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';
import * as S from '../../src/bus/schemas/orders.ts';
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
import { StackRequestError } from './spawn.ts';
import type { StackHandler } from './stack-handler.ts';

type Handler<T> = (body: T) => Promise<unknown> | unknown;

/**
 * The order stack services (interactive_order_stack, digest H4) on the NATS micro-services
 * protocol: `nats micro ls` lists `systack-orders`; each endpoint is `<prefix>.orders.<name>`
 * with a JSON body. Bad input gets an error reply (400 with what is wrong, 404 unknown order,
 * 409 refused by a rule) and changes nothing.
 */
export async function startOrderServices(nc: NatsConnection, h: StackHandler, prefix: string): Promise<Service> {
  const svc = await new Svcm(nc).add({
    name: 'systack-orders',
    version: '0.1.0',
    description: 'Order stacks: view, create, fill, balance, cancel, lock, delete, end of day',
  });
  const core = h.core;
  const add = <T>(name: string, schema: z.ZodType<T>, fn: Handler<T>): void => {
    svc.addEndpoint(name, {
      subject: subject(prefix, 'orders', ...name.split('.')),
      handler: (err: Error | null, msg: ServiceMsg) => {
        if (err) return;
        void answer(msg, schema, fn);
      },
    });
  };
  const view = (level: 'instrument' | 'contract' | 'broker') => (b: { active_only?: boolean }) =>
    core.orders(level).filter((o) => !b.active_only || o.active);

  add('instrument.create', S.createInstrumentOrderBody, async (b) =>
    h.createInstrumentOrder({
      strategyName: b.strategy_name,
      instrumentCode: b.instrument_code,
      trade: b.trade,
      orderType: b.order_type,
      referencePrice: b.reference_price,
      referenceContract: b.reference_contract,
      referenceDatetime: typeof b.reference_datetime === 'string' ? Date.parse(b.reference_datetime) : b.reference_datetime,
      limitPrice: b.limit_price,
      limitContract: b.limit_contract,
    }),
  );
  add('manual.trade', S.createInstrumentOrderBody, async (b) =>
    h.createInstrumentOrder({
      strategyName: b.strategy_name,
      instrumentCode: b.instrument_code,
      trade: b.trade,
      orderType: b.order_type ?? 'best',
      limitPrice: b.limit_price,
      limitContract: b.limit_contract,
      manualTrade: true,
    }),
  );
  add('view.instrument', S.viewStackBody, view('instrument'));
  add('view.contract', S.viewStackBody, view('contract'));
  add('view.broker', S.viewStackBody, view('broker'));
  add('view.broker_live', S.emptyBody, async () => ({
    orders: await core.deps.broker.orders(),
    fills: await core.deps.broker.fills(),
  }));
  add('view.order', S.viewOrderBody, (b) => {
    const o = core.host.get(b.level, b.order_id);
    if (!o) throw new StackRequestError(404, `${b.level} order ${b.order_id} not found`);
    return o;
  });
  add('view.positions', S.emptyBody, async () => ({
    ...h.positions(),
    broker: await core.deps.broker.positions(),
    locks: Object.fromEntries(core.locks),
  }));
  add('spawn', S.emptyBody, () => h.spawnChildrenFromNewInstrumentOrders());
  add('broker.create', S.emptyBody, () => h.createBrokerOrdersFromContractOrders());
  add('fill.broker', S.manualFillBody, (b) => manualFillBrokerOrder(core, b.order_id, b.price, b.qty));
  add('fill.contract', S.manualFillBody, (b) => manualFillContractOrder(core, b.order_id, b.price, b.qty));
  add('balance.trade', S.balanceTradeBody, (b) =>
    balanceTrade(core, {
      strategyName: b.strategy_name,
      instrumentCode: b.instrument_code,
      contractDate: b.contract_date,
      qty: b.qty,
      price: b.price,
      requestId: b.request_id,
    }),
  );
  add('balance.instrument', S.balanceInstrumentTradeBody, (b) =>
    balanceTrade(core, {
      strategyName: b.strategy_name,
      instrumentCode: b.instrument_code,
      qty: b.qty,
      price: b.price,
      requestId: b.request_id,
      instrumentOnly: true,
    }),
  );
  add('broker.cancel', S.orderIdBody, (b) => cancelBrokerOrder(core, b.order_id));
  add('net', S.emptyBody, () => netInstrumentOrders(core));
  add('lock.order', S.lockOrderBody, (b) => {
    setOrderLock(core, b.level, b.order_id, b.locked);
    return { level: b.level, order_id: b.order_id, locked: b.locked };
  });
  add('lock.instrument', S.lockInstrumentBody, async (b) => {
    await core.setLock(b.instrument_code, b.locked ? 'manual' : undefined);
    return { instrument_code: b.instrument_code, locked: b.locked };
  });
  add('algo.unlock', S.orderIdBody, (b) => removeAlgoLock(core, b.order_id));
  add('delete.order', S.deleteOrderBody, async (b) => {
    await deleteOrder(core, b.level, b.order_id);
    return { deleted: b };
  });
  add('delete.stack', S.deleteStackBody, async () => ({ deleted: await deleteStack(core) }));
  add('eod', S.emptyBody, () => h.safeStackRemoval());
  return svc;
}

async function answer<T>(msg: ServiceMsg, schema: z.ZodType<T>, fn: Handler<T>): Promise<void> {
  let raw: unknown;
  try {
    raw = msg.data.length === 0 ? {} : JSON.parse(msg.string());
  } catch {
    msg.respondError(400, 'body is not valid JSON');
    return;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const what = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    msg.respondError(400, what);
    return;
  }
  try {
    const result = await fn(parsed.data);
    msg.respond(JSON.stringify(result ?? null));
  } catch (err) {
    if (err instanceof StackRequestError) msg.respondError(err.code, err.message);
    else msg.respondError(500, String(err instanceof Error ? err.message : err));
  }
}
