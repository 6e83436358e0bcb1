import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '../../src/bus/connection.ts';
import { type EmbeddedNats, startEmbeddedNats } from '../../src/bus/embedded.ts';

export interface TestNats {
  server: EmbeddedNats;
  url: string;
  dir: string;
  /** Open a connection that is closed by `stop()`. */
  connect(name?: string): Promise<NatsConnection>;
  stop(): Promise<void>;
}

/** One real nats-server per test file: random port, temporary JetStream store. */
export async function startTestNats(): Promise<TestNats> {
  const dir = await mkdtemp(join(tmpdir(), 'systack-test-'));
  const server = await startEmbeddedNats({ storeDir: join(dir, 'js'), portsDir: dir });
  const conns: NatsConnection[] = [];
  return {
    server,
    url: server.url,
    dir,
    async connect(name?: string) {
      const nc = await connectNats({ url: server.url, name });
      conns.push(nc);
      return nc;
    },
    async stop() {
      for (const nc of conns) await nc.close().catch(() => undefined);
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
