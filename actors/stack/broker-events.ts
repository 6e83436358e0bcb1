/**
 * Broker events as they arrive (digest §2 F): fills, commissions, fill corrections and order
 * statuses, each handled in its broker order's mailbox; connection changes and a reconnect's
 * reconciliation are logged.
 */
import type { BrokerEvent } from '../../src/broker/port.ts';
import { afterBrokerFill, onBrokerOrderStatus } from './algos.ts';
import type { StackCore } from './core.ts';
import { recordFillCorrection } from './fill-corrections.ts';
import { recordBrokerFill, recordCommission } from './fills.ts';

export function onBrokerEvent(core: StackCore, e: BrokerEvent): void {
  if (e.type === 'commission') {
    void core
      .enqueue(`commission:${e.execId}`, () => recordCommission(core, e))
      .catch((err: unknown) => core.log.error({ err: String(err), exec_id: e.execId }, 'commission failed'));
    return;
  }
  if (e.type === 'fill-corrected') {
    void core
      .enqueue(e.fill.orderRef, () => recordFillCorrection(core, e.fill))
      .catch((err: unknown) =>
        core.log.error({ err: String(err), exec_id: e.fill.execId }, 'fill correction failed'),
      );
    return;
  }
  if (e.type !== 'fill' && e.type !== 'order-status') {
    if (e.type === 'connection') core.log.info({ connected: e.connected, code: e.code }, 'broker connection');
    // A broker's error (IB's error codes, the simulated broker's failed saves): logged with its
    // code and order, so a trader sees what the broker refused or failed at.
    if (e.type === 'error')
      core.log.warn({ code: e.code, order_ref: e.orderRef, broker_message: e.message }, 'broker error');
    // After a reconnect (IB): missed fills came as fill events; position breaks are found by
    // the loop's break check; orders at the broker without one of our orderRefs are reported.
    if (e.type === 'reconciled' && e.unknownBrokerOrders.length > 0)
      core.log.warn({ broker_order_ids: e.unknownBrokerOrders }, 'broker orders not on our stack');
    return;
  }
  const ref = e.type === 'fill' ? e.fill.orderRef : e.state.orderRef;
  void core
    .enqueue(ref, () => (e.type === 'fill' ? onFill(core, e) : onBrokerOrderStatus(core, e.state)))
    .catch((err: unknown) => core.log.error({ err: String(err), order_ref: ref }, 'broker event failed'));
}

async function onFill(core: StackCore, e: Extract<BrokerEvent, { type: 'fill' }>): Promise<void> {
  if ((await recordBrokerFill(core, e.fill)) !== 'applied') return;
  const id = core.byOrderRef.get(e.fill.orderRef);
  if (id === undefined) return;
  // F6: the fill travelled up as events; a family its machines completed is being archived.
  afterBrokerFill(core, id);
}
