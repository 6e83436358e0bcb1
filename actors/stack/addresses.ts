/**
 * Every order actor's address on NATS: `<prefix>.order.<kind>.<id>` (kind = instrument, contract,
 * broker). Another process (the broker adapter, the CLI, a service) sends an order one of the
 * typed events of `src/bus/schemas/order-actors.ts` as a request; the stack handler delivers it to
 * the actor through the order's mailbox (the same path, journal and inspection as an event from
 * inside the host) and replies with the actor's state after it.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { type OrderActorMessage, orderActorMessage } from '../../src/bus/schemas/order-actors.ts';
import { subject } from '../../src/bus/subjects.ts';
import type { StackCore } from './core.ts';
import { recordBrokerFill, recordCommission } from './fills.ts';
import { removeAlgoLock, setOrderLock } from './manual.ts';
import { StackRequestError } from './spawn.ts';
import type { OrderLevel } from './types.ts';

const KINDS: readonly OrderLevel[] = ['instrument', 'contract', 'broker'];

export function orderAddress(prefix: string, kind: OrderLevel, id: number): string {
  return subject(prefix, 'order', kind, String(id));
}

async function deliver(core: StackCore, kind: OrderLevel, id: number, msg: OrderActorMessage): Promise<void> {
  if (msg.type === 'LOCK' || msg.type === 'UNLOCK') return setOrderLock(core, kind, id, msg.type === 'LOCK');
  if (msg.type === 'ALGO_RELEASE') {
    if (kind !== 'contract') throw new StackRequestError(400, 'ALGO_RELEASE goes to a contract order');
    await removeAlgoLock(core, id);
    return;
  }
  const bo = kind === 'broker' ? core.brokerOrder(id) : undefined;
  if (!bo)
    throw new StackRequestError(
      kind === 'broker' ? 404 : 400,
      `${msg.type} goes to a broker order on the stack`,
    );
  if (msg.type === 'COMMISSION') {
    await recordCommission(core, { execId: msg.exec_id, commission: msg.commission, currency: msg.currency });
    return;
  }
  await recordBrokerFill(core, {
    execId: msg.exec_id,
    orderRef: bo.orderRef,
    tempId: bo.brokerTempId ?? 0,
    permId: bo.brokerPermId ?? 0,
    instrumentCode: bo.instrumentCode,
    contractDate: bo.contractDate,
    qty: msg.qty,
    price: msg.price,
    time: msg.time,
    ...(msg.commission === undefined ? {} : { commission: msg.commission }),
    ...(msg.commission_currency === undefined ? {} : { commissionCurrency: msg.commission_currency }),
  });
}

/** Serve every order actor's address; returns the subscription (unsubscribe to stop). */
export function serveOrderAddresses(nc: NatsConnection, core: StackCore): Subscription {
  return nc.subscribe(subject(core.deps.prefix, 'order', '*', '*'), {
    callback: (err, m) => {
      // A subscription error (e.g. a permissions violation) comes without a message.
      if (err) return void core.log.error({ err }, 'order addresses: subscription error');
      const [kind, idText] = m.subject.split('.').slice(-2);
      const id = Number(idText);
      const reply = (body: unknown) => m.respond(JSON.stringify(body));
      const level = KINDS.find((k) => k === kind);
      if (!level || !Number.isSafeInteger(id) || id <= 0)
        return void reply({ error: 'no such order address', code: 404 });
      let body: unknown;
      try {
        body = m.json();
      } catch {
        return void reply({ error: 'body is not JSON', code: 400 });
      }
      const parsed = orderActorMessage.safeParse(body);
      if (!parsed.success)
        return void reply({ error: parsed.error.issues[0]?.message ?? 'invalid message', code: 400 });
      if (!core.host.get(level, id))
        return void reply({ error: `${level} order ${id} not found`, code: 404 });
      const mailbox = level === 'broker' ? core.brokerOrder(id)!.orderRef : `${level}.${id}`;
      void core
        .enqueue(mailbox, () => deliver(core, level, id, parsed.data))
        .then(
          () => reply({ kind: level, id, state: core.host.get(level, id)?.state ?? null }),
          (err: unknown) =>
            reply({
              error: err instanceof Error ? err.message : String(err),
              code: err instanceof StackRequestError ? err.code : 500,
            }),
        );
    },
  });
}
