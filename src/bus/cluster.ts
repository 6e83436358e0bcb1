/**
 * A NATS cluster for systack (docs/deployment.md): N nats-servers with JetStream, routed to each
 * other, sharing the generated users and permissions. `clusterNodeConfig` writes one node's
 * configuration (what a production host runs under systemd); `startLocalCluster` starts N nodes
 * on loopback with random ports (the tests, and a trial on one machine).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { connectNats } from './connection.ts';
import { type EmbeddedNats, startEmbeddedNats } from './embedded.ts';
import { waitForJetStream } from './replicas.ts';

export interface ClusterNode {
  name: string;
  /** Client address and port. */
  host: string;
  port: number;
  /** Route (cluster) port. */
  clusterPort: number;
  /** JetStream store; undefined in the file when it is given on the command line (`-sd`). */
  storeDir?: string;
}

/**
 * One node's nats-server configuration: its name, JetStream store, cluster block with routes to
 * every other node, and the users and permissions (`include` of the generated server.conf, a path
 * relative to this configuration file's directory).
 */
export function clusterNodeConfig(
  node: ClusterNode,
  all: ClusterNode[],
  authInclude: string,
  clusterName = 'systack',
): string {
  const routes = all
    .filter((n) => n.name !== node.name)
    .map((n) => `"nats-route://${n.host}:${n.clusterPort}"`);
  return [
    `server_name: ${JSON.stringify(node.name)}`,
    `listen: "${node.host}:${node.port}"`,
    node.storeDir === undefined
      ? 'jetstream {}'
      : `jetstream { store_dir: ${JSON.stringify(node.storeDir)} }`,
    'cluster {',
    `  name: ${JSON.stringify(clusterName)}`,
    `  listen: "${node.host}:${node.clusterPort}"`,
    `  routes: [${routes.join(', ')}]`,
    '}',
    `include ${JSON.stringify(authInclude)}`,
    '',
  ].join('\n');
}

export interface LocalCluster {
  nodes: ClusterNode[];
  servers: EmbeddedNats[];
  /** Every node's client URL, comma-separated (a `nats_url` for the whole cluster). */
  url: string;
  /** kill -9 one node's nats-server. */
  kill(index: number): Promise<void>;
  /** Start a killed node again on its store. */
  restart(index: number): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalClusterOptions {
  dir: string;
  /** The generated users and permissions (writeServerAuthConfig). */
  authConfigFile: string;
  readyAuth: { user: string; pass: string };
  /** Free ports to use: two per node (client, route). */
  ports: number[];
  size?: number;
}

export async function startLocalCluster(o: LocalClusterOptions): Promise<LocalCluster> {
  const size = o.size ?? 3;
  const nodes: Array<ClusterNode & { storeDir: string }> = Array.from({ length: size }, (_, i) => ({
    name: `n${i + 1}`,
    host: '127.0.0.1',
    port: o.ports[2 * i]!,
    clusterPort: o.ports[2 * i + 1]!,
    storeDir: join(o.dir, `n${i + 1}`, 'jetstream'),
  }));
  const start = (i: number): Promise<EmbeddedNats> => {
    const n = nodes[i]!;
    mkdirSync(join(o.dir, n.name), { recursive: true });
    const file = join(o.dir, n.name, 'nats.conf');
    // nats-server resolves an include relative to the including file.
    const include = relative(join(o.dir, n.name), o.authConfigFile);
    // The store directory goes on the command line (startEmbeddedNats), not in the file too.
    writeFileSync(file, clusterNodeConfig({ ...n, storeDir: undefined }, nodes, include), { mode: 0o600 });
    return startEmbeddedNats({
      storeDir: n.storeDir,
      port: n.port,
      host: n.host,
      portsDir: join(o.dir, n.name),
      configFile: file,
      readyAuth: o.readyAuth,
      readyTimeoutMs: 30_000,
    });
  };
  const servers = await Promise.all(nodes.map((_, i) => start(i)));
  const url = nodes.map((n) => `nats://${n.host}:${n.port}`).join(',');
  // Started when JetStream has its meta leader: storage can be created at once.
  const nc = await connectNats({
    url,
    name: 'cluster-start',
    user: o.readyAuth.user,
    pass: o.readyAuth.pass,
  });
  try {
    await waitForJetStream(nc);
  } finally {
    await nc.close();
  }
  return {
    nodes,
    servers,
    url,
    async kill(i) {
      const s = servers[i]!;
      process.kill(s.serverPid, 'SIGKILL');
      await s.exited;
    },
    async restart(i) {
      servers[i] = await start(i);
    },
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
