import { connect, type NatsConnection } from '@nats-io/transport-node';

export interface NatsConnectOptions {
  url: string;
  name?: string;
  user?: string;
  pass?: string;
  token?: string;
  /** First-connect timeout in ms (default 5000). */
  timeout?: number;
}

/**
 * Connect to NATS. Reconnects forever (maxReconnectAttempts -1): a trading process must never
 * give up on its bus after N attempts; it waits for the server to come back.
 */
export async function connectNats(opts: NatsConnectOptions): Promise<NatsConnection> {
  return connect({
    servers: opts.url,
    name: opts.name,
    user: opts.user,
    pass: opts.pass,
    token: opts.token,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: false,
    timeout: opts.timeout ?? 5000,
  });
}
