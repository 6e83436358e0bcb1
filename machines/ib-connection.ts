/**
 * IB connection machine: the connection table of src/domain/broker/ib-connection.ts as an XState
 * machine, so it is drawn (`systack machines diagram ib-connection`) and tested like the others.
 * The IB adapter (src/broker/ib/connection.ts) steps through the same table.
 *
 * Public API
 * - `ibConnectionMachine`, started with `IbConnectionInput` ({ clientId }).
 * - Events: CONNECT, API_READY (nextValidId), SYNC_DONE / SYNC_FAILED (open orders, executions,
 *   positions, reconcile), IB_LOST (1100), IB_RESTORED_DATA_LOST (1101), IB_RESTORED (1102),
 *   CLIENT_ID_IN_USE (326), SOCKET_LOST (502, 504, socket closed), RETRY (backoff elapsed), STOP.
 * - Emitted: one `command` per table command (openSocket, synchronise, scheduleRetry with its
 *   delay...), for whoever carries them out; context keeps the client id and the retry count.
 */
import { assign, emit, enqueueActions, setup } from 'xstate';
import {
  ibBackoffMs,
  IB_CONNECTION_TABLE,
  type IbConnectionCommand,
  type IbConnectionEventType,
  type IbConnectionState,
} from '../src/domain/broker/ib-connection.ts';

export interface IbConnectionInput {
  readonly clientId: number;
}

export interface IbConnectionContext {
  readonly clientId: number;
  /** Reconnect attempts since the last successful connect. */
  readonly attempt: number;
}

export type IbConnectionMachineEvent = { type: IbConnectionEventType };

export type IbConnectionEmitted = {
  type: 'command';
  command: IbConnectionCommand;
  clientId: number;
  /** For scheduleRetry: how long to wait before RETRY. */
  delayMs: number;
};

const cmd = (c: IbConnectionCommand, context: IbConnectionContext): IbConnectionEmitted => ({
  type: 'command',
  command: c,
  clientId: context.clientId,
  delayMs: c === 'scheduleRetry' ? ibBackoffMs(context.attempt) : 0,
});

const machineSetup = setup({
  types: {
    context: {} as IbConnectionContext,
    events: {} as IbConnectionMachineEvent,
    input: {} as IbConnectionInput,
    emitted: {} as IbConnectionEmitted,
  },
  actions: {
    openSocket: emit(({ context }) => cmd('openSocket', context)),
    closeSocket: emit(({ context }) => cmd('closeSocket', context)),
    nextClientId: assign({ clientId: ({ context }) => context.clientId + 1, attempt: 0 }),
    scheduleRetry: enqueueActions(({ enqueue, context }) => {
      enqueue.emit(cmd('scheduleRetry', context));
      enqueue.assign({ attempt: context.attempt + 1 });
    }),
    resetAttempts: assign({ attempt: 0 }),
    synchronise: emit(({ context }) => cmd('synchronise', context)),
    resubscribe: emit(({ context }) => cmd('resubscribe', context)),
    reportDown: emit(({ context }) => cmd('reportDown', context)),
    reportUp: emit(({ context }) => cmd('reportUp', context)),
  },
});

type StateConfig = {
  on: Partial<Record<IbConnectionEventType, { target: IbConnectionState; actions: IbConnectionCommand[] }>>;
};

const states = Object.fromEntries(
  Object.entries(IB_CONNECTION_TABLE).map(([state, events]) => [
    state,
    {
      on: Object.fromEntries(
        Object.entries(events).map(([event, t]) => [event, { target: t.target, actions: [...t.commands] }]),
      ),
    } satisfies StateConfig,
  ]),
) as Record<IbConnectionState, StateConfig>;

export const ibConnectionMachine = machineSetup.createMachine({
  id: 'ibConnection',
  initial: 'idle',
  context: ({ input }) => ({ clientId: input.clientId, attempt: 0 }),
  states,
});
