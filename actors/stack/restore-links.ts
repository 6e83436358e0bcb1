/**
 * Restore across a crash between two actors' appends. One step of the stack writes to two order
 * subjects: spawning children writes the contract orders and the instrument order's
 * CHILDREN_SPAWNED; an algo's broker order writes the contract order's ALGO_CONTROL (naming the
 * broker order as its child) and the broker order's creation. Each actor's appends are pipelined on
 * their own (a busy actor's append waits for the one in flight), so a kill -9 can leave one side
 * written and not the other. Each actor's snapshot is then true of itself but not of its links:
 * - a contract order locked by (or holding as a child) a broker order that was never written:
 *   nothing ever releases the lock, the family never completes;
 * - a broker order its contract order never heard of: re-sent on restore, filled, its fill held
 *   by the contract order as an unknown child's while the contract order trades its remainder
 *   again (one lot too many per family);
 * - a contract order its instrument order never heard of: the instrument order is spawned again;
 * - an instrument order listing a contract order that was never written: the contract order is
 *   made again from its parent's child spec (same id, trade and contract), as the spawn made it;
 * - a roll order (created with its children in one step, J4) with a child or its parent never
 *   written: the family never traded (its contract orders trade once all of it is durable), so it
 *   is dropped whole and the next roll order generation makes it again.
 * A broker order is sent only once its contract order's step is durable, and contract orders
 * trade only once their instrument order's is, so the lost side of each window was never acted
 * on at the broker: restore links what can be linked and drops what was never sent.
 */
import type { StackCore } from './core.ts';
import { childSpec, MANUAL_CHILD, sendContract, sendInstrument, spawnContractOrder } from './order-actors.ts';
import { childContractOrder } from './spawn.ts';
import { logCritical } from './ports.ts';
import type { BrokerOrder, ContractOrder, FillRecord } from './types.ts';

export interface LinkRepairs {
  attached_contract_orders: number;
  removed_contract_orders: number;
  attached_broker_orders: number;
  dropped_broker_orders: number;
  released_children: number;
  dropped_roll_families: number;
  recreated_contract_orders: number;
}

/** Repair the parent/child links of the restored actors (before the fills are replayed). */
export async function reconcileLinks(core: StackCore, fills: readonly FillRecord[]): Promise<LinkRepairs> {
  const out: LinkRepairs = {
    attached_contract_orders: 0,
    removed_contract_orders: 0,
    attached_broker_orders: 0,
    dropped_broker_orders: 0,
    released_children: 0,
    dropped_roll_families: 0,
    recreated_contract_orders: 0,
  };
  await dropBrokenRollFamilies(core, out);
  recreateLostContractOrders(core, out);
  await linkContractOrders(core, out);
  const filled = new Set<number>();
  for (const f of fills) if (f.brokerOrderId !== undefined) filled.add(f.brokerOrderId);
  await linkBrokerOrders(core, filled, out);
  releaseLostBrokerChildren(core, out);
  return out;
}

/** A contract order that never traded: no broker child, no fill. */
const neverTraded = (co: ContractOrder): boolean => co.children.length === 0 && co.fill === 0;

/** Roll families cut short by a crash (a member never written) and never traded: dropped whole. */
async function dropBrokenRollFamilies(core: StackCore, out: LinkRepairs): Promise<void> {
  for (const co of core.activeOrders('contract')) {
    if (!co.rollOrder || co.parent === undefined || core.instrumentOrder(co.parent)) continue;
    if (!neverTraded(co)) continue;
    await dropContractOrder(core, co);
    out.dropped_roll_families++;
  }
  for (const io of core.activeOrders('instrument')) {
    if (!io.rollOrder) continue;
    const kids = io.children.map((id) => core.contractOrder(id));
    if (kids.every((c) => c !== undefined)) continue;
    const present = kids.filter((c): c is ContractOrder => c !== undefined);
    if (!present.every(neverTraded)) {
      logCritical(core.log, 'roll order with a contract order lost in a crash has traded: left as is', {
        instrument_order_id: io.id,
      });
      continue;
    }
    for (const co of present) await dropContractOrder(core, co);
    core.instrumentActors.stop(io);
    core.toSpawn.delete(io.id);
    await core.host.remove('instrument', io.id);
    out.dropped_roll_families++;
  }
}

async function dropContractOrder(core: StackCore, co: ContractOrder): Promise<void> {
  core.contractActors.stop(co);
  core.toSend.delete(co.id);
  await core.host.remove('contract', co.id);
}

/**
 * Instrument orders (not roll orders: dropBrokenRollFamilies) whose CHILDREN_SPAWNED was written
 * while a contract order of the same step was not: the lost contract order never traded (contract
 * orders trade once the whole step is durable), so it is made again from the parent's child spec.
 */
function recreateLostContractOrders(core: StackCore, out: LinkRepairs): void {
  for (const io of core.activeOrders('instrument')) {
    if (io.rollOrder || io.children.every((id) => core.contractOrder(id))) continue;
    for (const child of core.instrumentActors.snapshot(io).context.children) {
      const id = Number(child.orderId);
      if (child.orderId.includes(':') || core.contractOrder(id)) continue;
      const [trade] = child.trade;
      const [contractDate] = child.contractDates;
      if (child.trade.length !== 1 || trade === undefined || contractDate === undefined || child.completed) {
        logCritical(core.log, 'contract order lost in a crash cannot be made again: left as is', {
          instrument_order_id: io.id,
          contract_order_id: id,
        });
        continue;
      }
      spawnContractOrder(core, childContractOrder(core, io, id, { contractDate, trade }));
      // It trades once durable: its first broker order waits for that (algos.ts).
      core.toSend.add(id);
      out.recreated_contract_orders++;
    }
  }
}

/** Contract orders whose instrument order does not list them: attach the full set, else remove. */
async function linkContractOrders(core: StackCore, out: LinkRepairs): Promise<void> {
  const orphans = new Map<number, ContractOrder[]>();
  for (const co of core.activeOrders('contract')) {
    if (co.parent === undefined) continue;
    const io = core.instrumentOrder(co.parent);
    if (!io) continue;
    // The record's children are its machine's (read off after every event): no actor is started.
    if (io.children.includes(co.id)) continue;
    orphans.set(io.id, [...(orphans.get(io.id) ?? []), co]);
  }
  for (const [ioId, cos] of orphans) {
    const io = core.instrumentOrder(ioId);
    if (!io) continue;
    const complete = cos.reduce((s, c) => s + c.trade, 0) === io.trade;
    if (io.state === 'new' && io.children.length === 0 && complete) {
      const children = cos.map(childSpec);
      sendInstrument(core, io.id, { type: 'CHILDREN_SPAWNED', children });
      out.attached_contract_orders += cos.length;
      continue;
    }
    for (const co of cos) {
      if (co.children.length > 0 || co.fill !== 0) {
        logCritical(core.log, 'contract order its instrument order does not list has traded: left as is', {
          contract_order_id: co.id,
          instrument_order_id: io.id,
        });
        continue;
      }
      // Part of a spawn the crash cut short: never traded (contract orders trade only once their
      // instrument order's CHILDREN_SPAWNED is durable); the instrument order spawns again.
      await dropContractOrder(core, co);
      out.removed_contract_orders++;
    }
  }
}

/** Broker orders whose contract order does not list them: drop if never sent, else attach. */
async function linkBrokerOrders(core: StackCore, filled: Set<number>, out: LinkRepairs): Promise<void> {
  for (const bo of core.activeOrders('broker')) {
    if (bo.parent === undefined) continue;
    const co = core.contractOrder(bo.parent);
    if (!co?.active) continue;
    if (co.children.includes(bo.id)) continue;
    if (neverSent(bo) && !filled.has(bo.id)) {
      core.brokerActors.stop(bo);
      core.byOrderRef.delete(bo.orderRef);
      await core.host.remove('broker', bo.id);
      out.dropped_broker_orders++;
      continue;
    }
    sendContract(core, co.id, { type: 'BROKER_ORDER_CREATED', child: childSpec(bo) });
    out.attached_broker_orders++;
  }
}

/** A broker order the broker never took: written, not submitted, no fill. */
const neverSent = (bo: BrokerOrder): boolean =>
  bo.state === 'created' && bo.fill === 0 && bo.brokerTempId === undefined;

/**
 * Contract orders holding a broker child (or an algo lock naming one) that is not on the stack:
 * the child was never written, so never sent. It is settled as rejected and the lock released.
 */
function releaseLostBrokerChildren(core: StackCore, out: LinkRepairs): void {
  for (const co of core.activeOrders('contract')) {
    const holder = co.referenceOfControllingAlgo?.split(':')[1];
    const lockLost = holder !== undefined && !core.brokerOrder(Number(holder));
    // Only a contract order with a child or lock missing from the stack needs its actor.
    if (!lockLost && co.children.every((id) => core.brokerOrder(id))) continue;
    const ctx = core.contractActors.snapshot(co).context;
    for (const child of ctx.children) {
      if (child.completed || child.orderId.startsWith(MANUAL_CHILD)) continue;
      if (core.brokerOrder(Number(child.orderId))) continue;
      const reason = 'broker order lost in a crash before it was sent';
      sendContract(core, co.id, { type: 'CHILD_REJECTED', childId: child.orderId, reason });
      out.released_children++;
    }
    if (lockLost && ctx.algoControlledBy) {
      sendContract(core, co.id, { type: 'ALGO_RELEASE', algo: ctx.algoControlledBy });
      core.toSend.add(co.id);
    }
  }
}
