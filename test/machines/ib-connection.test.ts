import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { type IbConnectionEmitted, ibConnectionMachine } from '../../machines/ib-connection.ts';
import {
  ibAcceptsOrders,
  ibCodeEvent,
  type IbConnectionEventType,
} from '../../src/domain/broker/ib-connection.ts';

function run(events: IbConnectionEventType[]) {
  const actor = createActor(ibConnectionMachine, { input: { clientId: 101 } });
  const commands: IbConnectionEmitted[] = [];
  actor.on('command', (e) => commands.push(e));
  actor.start();
  for (const type of events) actor.send({ type });
  const s = actor.getSnapshot();
  return {
    state: String(s.value),
    context: s.context,
    commands: commands.map((c) => c.command),
    emitted: commands,
  };
}

describe('ib-connection machine', () => {
  it('connects, synchronises before accepting orders, and is ready', () => {
    const r = run(['CONNECT', 'API_READY']);
    expect(r.state).toBe('synchronising');
    expect(ibAcceptsOrders('synchronising')).toBe(false);
    expect(r.commands).toEqual(['openSocket', 'synchronise']);
    expect(run(['CONNECT', 'API_READY', 'SYNC_DONE']).state).toBe('ready');
  });

  it('1100 stops new orders; 1102 resynchronises; 1101 resubscribes too', () => {
    const lost = run(['CONNECT', 'API_READY', 'SYNC_DONE', 'IB_LOST']);
    expect(lost.state).toBe('ibDisconnected');
    expect(ibAcceptsOrders('ibDisconnected')).toBe(false);
    expect(run(['CONNECT', 'API_READY', 'SYNC_DONE', 'IB_LOST', 'IB_RESTORED']).state).toBe('synchronising');
    const dataLost = run(['CONNECT', 'API_READY', 'SYNC_DONE', 'IB_RESTORED_DATA_LOST']);
    expect(dataLost.commands.slice(-2)).toEqual(['resubscribe', 'synchronise']);
  });

  it('326 moves to the next client id; socket loss retries with a growing backoff, forever', () => {
    const r = run(['CONNECT', 'CLIENT_ID_IN_USE', 'RETRY', 'API_READY']);
    expect(r.context.clientId).toBe(102);
    const events: IbConnectionEventType[] = ['CONNECT'];
    for (let i = 0; i < 12; i++) events.push('SOCKET_LOST', 'RETRY');
    const lost = run(events);
    expect(lost.state).toBe('connecting');
    expect(lost.emitted.filter((e) => e.command === 'scheduleRetry').map((e) => e.delayMs)).toEqual([
      500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000, 30000, 30000,
    ]);
  });

  it('maps IB codes to events', () => {
    expect([1100, 1101, 1102, 326, 502, 504, 2104].map(ibCodeEvent)).toEqual([
      'IB_LOST',
      'IB_RESTORED_DATA_LOST',
      'IB_RESTORED',
      'CLIENT_ID_IN_USE',
      'SOCKET_LOST',
      'SOCKET_LOST',
      undefined,
    ]);
  });
});
