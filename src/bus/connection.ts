import { readFileSync } from 'node:fs';
import {
  type Authenticator,
  connect,
  credsAuthenticator,
  type NatsConnection,
  nkeyAuthenticator,
} from '@nats-io/transport-node';
import { withShortLivedEphemerals } from './ephemerals.ts';
import { withStreamReplicas } from './replicas.ts';
import { natsServers } from './servers.ts';

export interface NatsTlsOptions {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface NatsConnectOptions {
  url: string;
  name?: string;
  user?: string;
  pass?: string;
  token?: string;
  /** First-connect timeout in ms (default 5000). */
  timeout?: number;
  /** A NATS `.creds` file (user JWT and nkey seed), for an external server with accounts. */
  credsFile?: string;
  /** A file holding a user nkey seed (`SU...`). */
  nkeySeedFile?: string;
  /** TLS (CA, client certificate and key); required for a server not on loopback. */
  tls?: NatsTlsOptions;
  /** JetStream replicas of every stream this connection creates (a cluster: 3); default 1. */
  replicas?: number;
}

function authenticator(opts: NatsConnectOptions): Authenticator | undefined {
  if (opts.credsFile) return credsAuthenticator(readFileSync(opts.credsFile));
  if (opts.nkeySeedFile)
    return nkeyAuthenticator(new TextEncoder().encode(readFileSync(opts.nkeySeedFile, 'utf8').trim()));
  return undefined;
}

/**
 * Connect to NATS. Reconnects forever (maxReconnectAttempts -1): a trading process must never
 * give up on its bus after N attempts; it waits for the server to come back. Its ephemeral
 * consumers live in memory and go soon after their reader (ephemerals.ts).
 */
export async function connectNats(opts: NatsConnectOptions): Promise<NatsConnection> {
  const auth = authenticator(opts);
  const nc = await connect({
    servers: natsServers(opts.url),
    name: opts.name,
    user: opts.user,
    pass: opts.pass,
    token: opts.token,
    ...(auth ? { authenticator: auth } : {}),
    ...(opts.tls ? { tls: { ...opts.tls } } : {}),
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: false,
    timeout: opts.timeout ?? 5000,
  });
  return withStreamReplicas(withShortLivedEphemerals(nc), opts.replicas ?? 1);
}
