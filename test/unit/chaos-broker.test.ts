// The chaos suite's fault injector at the broker's wire (src/broker/sim/chaos-broker.ts), driven
// with a manual timer: events duplicated and delayed, orders refused while the connection is down,
// held events replayed after the reconnect and followed by the broker's positions.
import { describe, expect, it } from 'vitest';
import type { BrokerEvent, BrokerListener, BrokerPort, PlacedOrder } from '../../src/broker/port.ts';
import { BrokerDisconnectedError, ChaosBroker, type Schedule } from '../../src/broker/sim/chaos-broker.ts';
import { withReplicasIn } from '../../src/bus/replicas.ts';

function innerBroker() {
  let listener: BrokerListener = () => undefined;
  const fake: Partial<BrokerPort> = {
    name: 'fake',
    connect: async () => undefined,
    isConnected: () => true,
    onEvent: (l) => {
      listener = l;
      return () => undefined;
    },
    positions: async () => [{ instrumentCode: 'GOLD', contractDate: '202612', position: 3 }],
    placeOrder: async (req): Promise<PlacedOrder> => ({
      orderRef: req.orderRef,
      tempId: 1,
      permId: 1,
      submittedAt: 0,
      existing: false,
    }),
  };
  return { broker: fake as BrokerPort, send: (e: BrokerEvent) => listener(e) };
}

function manualTimers() {
  const due: Array<() => void> = [];
  const schedule: Schedule = (fn) => {
    due.push(fn);
    return { cancel: () => undefined };
  };
  return { schedule, runNext: () => due.shift()?.() };
}

const fill = (execId: string): BrokerEvent => ({
  type: 'commission',
  execId,
  commission: 1,
  currency: 'USD',
});

describe('ChaosBroker', () => {
  it('duplicates and delays events, never dropping one', () => {
    const inner = innerBroker();
    const t = manualTimers();
    const cfg = { seed: 3, duplicate: 1, delay: 1, delay_ms: 10, disconnect_every_ms: 0, disconnect_ms: 0 };
    const chaos = new ChaosBroker(inner.broker, cfg, t.schedule);
    const seen: string[] = [];
    chaos.onEvent((e) => e.type === 'commission' && seen.push(e.execId));
    inner.send(fill('e1'));
    expect(seen).toEqual([]); // both copies held back
    t.runNext();
    t.runNext();
    expect(seen).toEqual(['e1', 'e1']);
    expect(chaos.counts.duplicated).toBeGreaterThan(0);
  });

  it('drops the connection: orders refused, events held and replayed, then the positions', async () => {
    const inner = innerBroker();
    const t = manualTimers();
    const cfg = { seed: 1, duplicate: 0, delay: 0, delay_ms: 0, disconnect_every_ms: 100, disconnect_ms: 50 };
    const chaos = new ChaosBroker(inner.broker, cfg, t.schedule);
    const seen: string[] = [];
    chaos.onEvent((e) => seen.push(e.type === 'commission' ? e.execId : e.type));
    await chaos.connect();
    t.runNext(); // the drop
    expect(chaos.isConnected()).toBe(false);
    await expect(chaos.placeOrder({ orderRef: 'o1', legs: [], orderType: 'market' })).rejects.toBeInstanceOf(
      BrokerDisconnectedError,
    );
    inner.send(fill('e1'));
    inner.send(fill('e2'));
    expect(seen).toEqual(['connection']);
    t.runNext(); // the reconnect
    await new Promise((r) => setImmediate(r));
    expect(seen.slice(1, 2)).toEqual(['connection']);
    expect(seen.slice(2, 4).sort()).toEqual(['e1', 'e2']);
    expect(seen[4]).toBe('reconciled');
    expect((await chaos.placeOrder({ orderRef: 'o2', legs: [], orderType: 'market' })).orderRef).toBe('o2');
  });
});

describe('stream replicas on a cluster', () => {
  it('adds num_replicas to a stream configuration that asks for one or none, and keeps more', () => {
    const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
    const dec = (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b)) as Record<string, unknown>;
    expect(dec(withReplicasIn(enc({ name: 'X' }), 3))).toEqual({ name: 'X', num_replicas: 3 });
    expect(dec(withReplicasIn(enc({ name: 'X', num_replicas: 1 }), 3)).num_replicas).toBe(3);
    expect(dec(withReplicasIn(enc({ name: 'X', num_replicas: 5 }), 3)).num_replicas).toBe(5);
  });
});
