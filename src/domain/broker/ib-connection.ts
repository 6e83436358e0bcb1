/**
 * The Interactive Brokers connection states, as one transition table (stack-notes §1.1, §1.3;
 * peers §2.4). Pure data: the IB adapter (src/broker/ib/connection.ts) steps through it and
 * carries out the commands; machines/ib-connection.ts draws the same table as an XState machine.
 *
 * - 1100 (TWS lost IB): no new broker orders; orders in flight stay in flight (never assumed
 *   cancelled or filled).
 * - 1101 (restored, data lost): resubscribe, then synchronise again.
 * - 1102 (restored, data kept): synchronise again (cheap: executions are deduplicated), then ready.
 * - 326 (client id in use): the next client id, then connect again.
 * - 502 / 504 / socket loss: reconnect with backoff, forever.
 * - After every (re)connect, before any new order: open orders, executions since the start of
 *   the day, positions, then reconcile (`synchronise`).
 */

export type IbConnectionState =
  'idle' | 'connecting' | 'synchronising' | 'ready' | 'ibDisconnected' | 'waitingToReconnect' | 'stopped';

export type IbConnectionEventType =
  | 'CONNECT'
  | 'API_READY'
  | 'SYNC_DONE'
  | 'SYNC_FAILED'
  | 'IB_LOST'
  | 'IB_RESTORED_DATA_LOST'
  | 'IB_RESTORED'
  | 'CLIENT_ID_IN_USE'
  | 'SOCKET_LOST'
  | 'RETRY'
  | 'STOP';

export type IbConnectionCommand =
  | 'openSocket'
  | 'closeSocket'
  | 'nextClientId'
  | 'scheduleRetry'
  | 'resetAttempts'
  | 'synchronise'
  | 'resubscribe'
  | 'reportDown'
  | 'reportUp';

export interface IbTransition {
  readonly target: IbConnectionState;
  readonly commands: readonly IbConnectionCommand[];
}

const lost: IbTransition = { target: 'waitingToReconnect', commands: ['reportDown', 'scheduleRetry'] };
const stop: IbTransition = { target: 'stopped', commands: ['closeSocket', 'reportDown'] };

export const IB_CONNECTION_TABLE: Readonly<
  Record<IbConnectionState, Partial<Record<IbConnectionEventType, IbTransition>>>
> = {
  idle: { CONNECT: { target: 'connecting', commands: ['openSocket'] }, STOP: stop },
  connecting: {
    API_READY: { target: 'synchronising', commands: ['resetAttempts', 'synchronise'] },
    CLIENT_ID_IN_USE: {
      target: 'waitingToReconnect',
      commands: ['closeSocket', 'nextClientId', 'scheduleRetry'],
    },
    SOCKET_LOST: lost,
    STOP: stop,
  },
  synchronising: {
    SYNC_DONE: { target: 'ready', commands: ['reportUp'] },
    SYNC_FAILED: { target: 'waitingToReconnect', commands: ['closeSocket', 'reportDown', 'scheduleRetry'] },
    IB_LOST: { target: 'ibDisconnected', commands: ['reportDown'] },
    SOCKET_LOST: lost,
    STOP: stop,
  },
  ready: {
    IB_LOST: { target: 'ibDisconnected', commands: ['reportDown'] },
    IB_RESTORED_DATA_LOST: { target: 'synchronising', commands: ['resubscribe', 'synchronise'] },
    SOCKET_LOST: lost,
    STOP: stop,
  },
  ibDisconnected: {
    IB_RESTORED_DATA_LOST: { target: 'synchronising', commands: ['resubscribe', 'synchronise'] },
    IB_RESTORED: { target: 'synchronising', commands: ['synchronise'] },
    SOCKET_LOST: lost,
    STOP: stop,
  },
  waitingToReconnect: {
    RETRY: { target: 'connecting', commands: ['openSocket'] },
    STOP: stop,
  },
  stopped: { CONNECT: { target: 'connecting', commands: ['openSocket'] } },
};

/** The event an IB message code stands for, if it is one of the connection codes. */
export function ibCodeEvent(code: number): IbConnectionEventType | undefined {
  switch (code) {
    case 1100:
      return 'IB_LOST';
    case 1101:
      return 'IB_RESTORED_DATA_LOST';
    case 1102:
      return 'IB_RESTORED';
    case 326:
      return 'CLIENT_ID_IN_USE';
    case 502:
    case 504:
      return 'SOCKET_LOST';
    default:
      return undefined;
  }
}

/** Next state and commands; an event the state does not handle changes nothing. */
export function ibConnectionStep(
  state: IbConnectionState,
  event: IbConnectionEventType,
): IbTransition | undefined {
  return IB_CONNECTION_TABLE[state][event];
}

/** New broker orders are accepted only once synchronised and while TWS is connected to IB. */
export function ibAcceptsOrders(state: IbConnectionState): boolean {
  return state === 'ready';
}

/** Reconnect delay: 0.5 s doubling to at most 30 s. */
export function ibBackoffMs(attempt: number, baseMs = 500, maxMs = 30_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt));
}
