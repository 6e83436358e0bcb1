/**
 * Who may publish what on the bus (docs/security.md). The embedded nats-server has one user per
 * role; each run_* process connects as its process's role, the CLI as `operator`, the monitor
 * page as `monitor`. A role publishes only what it owns:
 *
 * - the stack handler's role alone writes the order stacks, fills and order history (streams
 *   `<PREFIX>_STACK|FILLS|HISTORY`, KV `<PREFIX>_STACK_STATE`) and takes order requests off their
 *   work queue;
 * - only roles running a broker adapter write broker events (`<prefix>.broker.>`, the simulated
 *   broker's KV `<PREFIX>_SIMBROKER`);
 * - only the strategy order generator and the operator queue order requests;
 * - no role but `admin` deletes a stream or changes a stream's configuration, and none but
 *   `admin` purges one, except the filtered purges object stores, the stack handler's order
 *   removal and the log cleaner need on their own streams;
 * - `monitor` is read-only: JetStream reads, and requests to the read-only endpoints.
 */
import { streamName, subject } from './subjects.ts';
import { STORAGE_CATALOGUE } from '../store/catalogue.ts';

export const ROLES = [
  'admin',
  'supervisor',
  'stack',
  'broker',
  'orders',
  'cleaner',
  'process',
  'operator',
  'monitor',
] as const;
export type Role = (typeof ROLES)[number];

/** The role each run_* process connects as; any other process is `process`. */
const PROCESS_ROLES: Readonly<Record<string, Role>> = {
  run_stack_handler: 'stack',
  run_capital_update: 'broker',
  run_daily_prices_updates: 'broker',
  run_strategy_order_generator: 'orders',
  run_cleaners: 'cleaner',
};

export function roleOfProcess(processName: string): Role {
  return Object.hasOwn(PROCESS_ROLES, processName) ? PROCESS_ROLES[processName]! : 'process';
}

export interface SubjectPermission {
  allow: string[];
  deny: string[];
}

/** A nats-server user's permissions; undefined grants everything (admin). */
export interface Permissions {
  publish: SubjectPermission;
  subscribe: SubjectPermission;
}

type Grant = 'stack' | 'broker' | 'requests' | 'purgeLogs';

const ROLE_GRANTS: Readonly<Record<Exclude<Role, 'admin' | 'monitor'>, readonly Grant[]>> = {
  // `systack start` initialises capital from the simulated broker's account.
  supervisor: ['broker'],
  stack: ['stack', 'broker'],
  broker: ['broker'],
  orders: ['requests'],
  cleaner: ['purgeLogs'],
  process: [],
  operator: ['requests'],
};

const api = (...t: string[]) => ['$JS', 'API', ...t].join('.');

/** Stream-level API subjects that change a stream (its owner's alone). */
const streamWrites = (stream: string) => [api('STREAM', 'MSG', 'DELETE', stream)];

/** What each grant lets a role publish (and, for its owner, nobody else may). */
function grantSubjects(grant: Grant, prefix: string): string[] {
  const s = (...t: string[]) => subject(prefix, ...t);
  const requests = streamName(prefix, 'ORDER_REQUESTS');
  switch (grant) {
    case 'stack':
      return [
        s('stack', '>'),
        s('fills', '>'),
        s('history', '>'),
        `$KV.${streamName(prefix, 'STACK_STATE')}.>`,
        ...['STACK', 'FILLS', 'HISTORY'].flatMap((n) => streamWrites(streamName(prefix, n))),
        ...streamWrites(`KV_${streamName(prefix, 'STACK_STATE')}`),
        // Removing an order from the stack is a purge of its subject.
        api('STREAM', 'PURGE', streamName(prefix, 'STACK')),
        // Taking order requests off the work queue (fetch and acknowledge).
        api('CONSUMER', 'MSG', 'NEXT', requests, '>'),
        `$JS.ACK.${requests}.>`,
        // Removing acknowledged requests nats-server 2.9.10 left in the queue (acked-leftovers.ts).
        ...streamWrites(requests),
      ];
    case 'broker':
      return [
        s('broker', '>'),
        `$KV.${streamName(prefix, 'SIMBROKER')}.>`,
        ...streamWrites(`KV_${streamName(prefix, 'SIMBROKER')}`),
      ];
    case 'requests':
      return [s('orderreq', '>')];
    case 'purgeLogs':
      return [api('STREAM', 'PURGE', streamName(prefix, 'logs'))];
  }
}

/** JetStream API subjects every reader needs (stream info, message gets, consumers to read). */
function readApi(): string[] {
  return [
    api('INFO'),
    api('STREAM', 'INFO', '*'),
    api('STREAM', 'LIST'),
    api('STREAM', 'NAMES'),
    api('STREAM', 'MSG', 'GET', '*'),
    api('DIRECT', 'GET', '>'),
    api('CONSUMER', 'CREATE', '>'),
    api('CONSUMER', 'INFO', '>'),
    api('CONSUMER', 'LIST', '*'),
    api('CONSUMER', 'NAMES', '*'),
    api('CONSUMER', 'MSG', 'NEXT', '>'),
    // Flow-control replies of push consumers (KV watch, ordered consumers).
    '$JS.FC.>',
  ];
}

/** Read-only request subjects: views of orders, processes, capital, controls, strategies. */
export function readOnlyEndpoints(prefix: string): string[] {
  const s = (...t: string[]) => subject(prefix, ...t);
  return [
    s('monitor', '>'),
    s('orders', 'view', '>'),
    s('control', 'process', 'list'),
    s('control', 'process', 'config'),
    s('control', 'limits', 'list'),
    s('control', 'overrides', 'list'),
    s('capital', 'show'),
    s('capital', 'history'),
    s('strategy', 'positions'),
    s('strategy', 'diagnostics'),
  ];
}

/**
 * Every stream, KV bucket and object store of the system, by the name given to `streamName`.
 * Writer roles may create only these (a bucket is created by whichever process opens it first):
 * creating any other stream is refused, because a stream's republish setting would let a role
 * publish, through the server, into subjects it may not publish to. A new stream, bucket or
 * object store must be added here, or its first open fails with a permissions violation.
 */
/** Every stream, KV bucket and object store of a system: the storage catalogue (src/store/catalogue.ts). */
export const BUS_CATALOGUE = STORAGE_CATALOGUE;

/** JetStream stream names of the catalogue (KV buckets are `KV_<name>`, object stores `OBJ_<name>`). */
export function catalogueStreams(prefix: string): string[] {
  return [
    ...BUS_CATALOGUE.streams.map((n) => streamName(prefix, n)),
    ...BUS_CATALOGUE.kv.map((n) => `KV_${streamName(prefix, n)}`),
    ...BUS_CATALOGUE.objectStores.map((n) => `OBJ_${streamName(prefix, n)}`),
  ];
}

/** Object stores replace and delete objects by purging their chunks' subjects. */
function objectStorePurges(prefix: string): string[] {
  return BUS_CATALOGUE.objectStores.map((n) => api('STREAM', 'PURGE', `OBJ_${streamName(prefix, n)}`));
}

export function rolePermissions(role: Role, prefix: string): Permissions | undefined {
  if (role === 'admin') return undefined;
  const requests = streamName(prefix, 'ORDER_REQUESTS');
  if (role === 'monitor') {
    return {
      publish: {
        allow: [...readApi(), '$SRV.>', ...readOnlyEndpoints(prefix)],
        // No durable consumers, and nothing taken off the order-request work queue.
        deny: [
          api('CONSUMER', 'DURABLE', 'CREATE', '>'),
          api('CONSUMER', 'CREATE', requests),
          api('CONSUMER', 'CREATE', requests, '>'),
          api('CONSUMER', 'MSG', 'NEXT', requests, '>'),
        ],
      },
      // Replies and consumer deliveries come to inboxes; service subjects are not readable, so
      // a read-only client cannot answer a request in a service's place.
      subscribe: { allow: roleSubscriptions(role, prefix), deny: [] },
    };
  }
  const grants = ROLE_GRANTS[role];
  const owned = grants.flatMap((g) => grantSubjects(g, prefix));
  // The active supervisor moves catalogued streams' leaders off its own cluster node
  // (actors/supervisor/leader-placement.ts).
  const stepdowns =
    role === 'supervisor'
      ? catalogueStreams(prefix).flatMap((n) => [
          api('STREAM', 'LEADER', 'STEPDOWN', n),
          api('CONSUMER', 'LEADER', 'STEPDOWN', n, '*'),
        ])
      : [];
  const others = (['stack', 'broker', 'requests', 'purgeLogs'] as const)
    .filter((g) => !grants.includes(g))
    .flatMap((g) => grantSubjects(g, prefix));
  return {
    publish: {
      allow: [
        subject(prefix, '>'),
        '_INBOX.>',
        '$KV.>',
        '$O.>',
        '$SRV.>',
        '$JS.ACK.>',
        ...readApi(),
        api('CONSUMER', 'DURABLE', 'CREATE', '>'),
        api('CONSUMER', 'DELETE', '>'),
        ...catalogueStreams(prefix).map((n) => api('STREAM', 'CREATE', n)),
        ...objectStorePurges(prefix),
        ...owned,
        ...stepdowns,
      ],
      deny: others.filter((s) => !owned.includes(s)),
    },
    subscribe: { allow: roleSubscriptions(role, prefix), deny: [] },
  };
}

/**
 * What a writer role may subscribe to: replies and consumer deliveries (`_INBOX.>`), service
 * discovery (`$SRV.>`), and the service subjects it serves or the live subjects it reads. A
 * command service's subjects are subscribable by its owner alone, so no other role can answer a
 * request in its place: the order stack services, the order actors' addresses and trade limits by
 * `stack`, process control and the monitor's data by `supervisor`.
 */
export function roleSubscriptions(role: Exclude<Role, 'admin'>, prefix: string): string[] {
  const s = (...t: string[]) => subject(prefix, ...t);
  const common = ['_INBOX.>', '$SRV.>'];
  // Services any process may host: capital, position limits and overrides, strategies, roll states.
  const shared = [
    s('capital', '>'),
    s('control', 'limits', '>'),
    s('control', 'overrides', '>'),
    s('strategy', '>'),
    s('rolls', '>'),
  ];
  switch (role) {
    case 'monitor':
      return ['_INBOX.>'];
    case 'stack':
      // The order services, trade limits, and every order actor's address (`order.<kind>.<id>`).
      return [...common, ...shared, s('orders', '>'), s('order', '>'), s('control', 'trade_limits', '>')];
    case 'supervisor':
      // Process control, the monitor's data, the visualizer's live order states, day summaries.
      return [
        ...common,
        ...shared,
        s('control', 'process', '>'),
        s('monitor', '>'),
        s('inspect', '>'),
        s('logs', '>'),
      ];
    case 'operator':
      // `systack logs --follow`, live order states.
      return [...common, ...shared, s('logs', '>'), s('inspect', '>')];
    case 'broker':
    case 'orders':
    case 'cleaner':
    case 'process':
      return [...common, ...shared];
  }
}
