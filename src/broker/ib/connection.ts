/**
 * The socket side of the IB adapter: one `IBApi` per connection attempt, stepped through the
 * connection table (src/domain/broker/ib-connection.ts). A fresh IBApi per attempt means nothing
 * queued on a dead socket is ever sent later (no order sent twice).
 */
import { EventName, IBApi } from '@stoqey/ib';
import {
  ibAcceptsOrders,
  ibBackoffMs,
  ibCodeEvent,
  type IbConnectionCommand,
  type IbConnectionEventType,
  type IbConnectionState,
  ibConnectionStep,
} from '../../domain/broker/ib-connection.ts';
import type { BrokerEvent } from '../port.ts';
import { IbNotConnected } from './errors.ts';

export interface IbConnectionOptions {
  host: string;
  port: number;
  /** The first client id tried; 326 (in use) moves to the next one. */
  clientId: number;
  /** How many further client ids 326 may move through before giving up (default 10). */
  maxClientIdTries?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Outgoing request rate of @stoqey/ib (default 40; IB allows 50). */
  maxReqPerSec?: number;
}

export interface IbConnectionHooks {
  /** Register event handlers on a new IBApi (before it connects). */
  attach(api: IBApi): void;
  /** Open orders, executions since the start of the day, positions, reconcile. */
  synchronise(): Promise<void>;
  /** 1101: market-data and account subscriptions were lost. */
  resubscribe(): void;
  /** The socket went away: fail what waits on it. */
  socketLost(reason: string): void;
  state(state: IbConnectionState, previous: IbConnectionState, code?: number, message?: string): void;
}

/**
 * What the stack hears of a state change: `connection` when orders become (un)acceptable, and on
 * every drop (socket lost, IB cut off from TWS) with IB's code and message.
 */
export function connectionEvents(
  s: IbConnectionState,
  prev: IbConnectionState,
  code?: number,
  message?: string,
): BrokerEvent[] {
  const is = ibAcceptsOrders(s);
  if (ibAcceptsOrders(prev) === is && s !== 'waitingToReconnect' && s !== 'ibDisconnected') return [];
  return [
    {
      type: 'connection',
      connected: is,
      ...(code === undefined ? {} : { code }),
      ...(message === undefined ? {} : { message }),
    },
  ];
}

export class IbConnection {
  private current: IbConnectionState = 'idle';
  private apiInstance: IBApi | undefined;
  private attempt = 0;
  private clientIdNow: number;
  private clientIdTries = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private generation = 0;
  private lastCode: { code: number; message: string } | undefined;
  private waiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];

  constructor(
    private readonly opts: IbConnectionOptions,
    private readonly hooks: IbConnectionHooks,
  ) {
    this.clientIdNow = opts.clientId;
  }

  get state(): IbConnectionState {
    return this.current;
  }

  get clientId(): number {
    return this.clientIdNow;
  }

  /** The last connection code or socket error seen (for clear failure messages). */
  get lastProblem(): string | undefined {
    return this.lastCode ? `${this.lastCode.code}: ${this.lastCode.message}` : undefined;
  }

  /** The live IBApi; throws when there is no socket. */
  api(): IBApi {
    if (!this.apiInstance || this.current === 'waitingToReconnect' || this.current === 'stopped')
      throw new IbNotConnected(`not connected to TWS at ${this.opts.host}:${this.opts.port}`);
    return this.apiInstance;
  }

  /**
   * Connect and wait until synchronised (`ready`); after `ms` without, stop and fail with where
   * and why (the last connection code or socket error).
   */
  async connectWithin(ms: number): Promise<void> {
    const where = `${this.opts.host}:${this.opts.port}`;
    const ready = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const why = this.lastProblem ?? 'no answer';
        reject(new IbNotConnected(`cannot connect to TWS / IB Gateway at ${where} within ${ms} ms (${why})`));
        this.waiters = [];
        this.send('STOP');
      }, ms);
    });
    this.send('CONNECT');
    try {
      await Promise.race([ready, timeout]);
    } finally {
      clearTimeout(timer);
      this.waiters = [];
    }
  }

  send(event: IbConnectionEventType, code?: number, message?: string): void {
    const t = ibConnectionStep(this.current, event);
    if (!t) return;
    const previous = this.current;
    this.current = t.target;
    for (const c of t.commands) this.run(c, code, message);
    if (previous === this.current) return;
    if (this.current === 'ready') for (const w of this.waiters) w.resolve();
    if (this.current === 'stopped')
      for (const w of this.waiters) w.reject(new IbNotConnected(message ?? 'stopped'));
    this.hooks.state(this.current, previous, code, message);
  }

  private run(command: IbConnectionCommand, code?: number, message?: string): void {
    switch (command) {
      case 'openSocket':
        this.open();
        return;
      case 'closeSocket':
        this.close();
        return;
      case 'nextClientId':
        this.clientIdTries++;
        if (this.clientIdTries > (this.opts.maxClientIdTries ?? 10)) {
          queueMicrotask(() => this.send('STOP', code, 'no free client id'));
          return;
        }
        this.clientIdNow++;
        this.attempt = 0;
        return;
      case 'scheduleRetry': {
        const wait = ibBackoffMs(this.attempt++, this.opts.backoffBaseMs, this.opts.backoffMaxMs);
        this.close();
        this.retryTimer = setTimeout(() => {
          this.retryTimer = undefined;
          this.send('RETRY');
        }, wait);
        return;
      }
      case 'resetAttempts':
        this.attempt = 0;
        return;
      case 'synchronise': {
        const gen = this.generation;
        this.hooks
          .synchronise()
          .then(() => {
            if (gen === this.generation) this.send('SYNC_DONE');
          })
          .catch((err: unknown) => {
            if (gen === this.generation) this.send('SYNC_FAILED', undefined, String(err));
          });
        return;
      }
      case 'resubscribe':
        this.hooks.resubscribe();
        return;
      case 'reportDown':
      case 'reportUp':
        // Reported through hooks.state once the transition is complete.
        void message;
        return;
    }
  }

  private open(): void {
    this.close();
    const gen = ++this.generation;
    const api = new IBApi({
      host: this.opts.host,
      port: this.opts.port,
      maxReqPerSec: this.opts.maxReqPerSec,
    });
    this.apiInstance = api;
    const mine = (): boolean => gen === this.generation;
    api.on(EventName.nextValidId, () => {
      if (mine()) this.send('API_READY');
    });
    api.on(EventName.info, (message: string, code: number) => {
      if (!mine()) return;
      const ev = ibCodeEvent(code);
      if (ev) {
        this.lastCode = { code, message };
        this.send(ev, code, message);
      }
    });
    api.on(EventName.error, (err: Error, code: number, reqId: number) => {
      if (!mine() || reqId >= 0) return;
      const ev = ibCodeEvent(code);
      if (ev) {
        this.lastCode = { code, message: err.message };
        this.send(ev, code, err.message);
      }
    });
    api.on(EventName.disconnected, () => {
      if (!mine()) return;
      this.hooks.socketLost('socket closed');
      this.send('SOCKET_LOST', 504, 'socket closed');
    });
    this.hooks.attach(api);
    api.connect(this.clientIdNow);
  }

  private close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const api = this.apiInstance;
    if (!api) return;
    this.generation++;
    this.apiInstance = undefined;
    this.hooks.socketLost('connection closed');
    try {
      api.disconnect();
    } catch {
      // The socket is already gone: nothing to close.
    }
    api.removeAllListeners();
  }
}
