/**
 * The chaos suite's network faults between one process and nats-server: a TCP proxy on loopback
 * that the process connects through (`nats_process_urls`), forwarding to the server's port.
 *
 * - `cut(ms)`: a partition that the process sees: every connection through the proxy is closed
 *   and new ones are refused until `ms` has passed (the client reconnects when it may).
 * - `stall(ms)`: a partition that it does not see: nothing flows either way for `ms`, the
 *   connections stay open (a cable pulled; the server's writes back up, the client's requests
 *   time out).
 * - `slow(ms, bytesPerSecond)`: a slow consumer: what the server sends is delivered at most
 *   `bytesPerSecond` for `ms`, so the server's buffer for the client grows (nats-server closes a
 *   client that stays behind its write deadline as a slow consumer).
 */
import { createServer, type Server, type Socket, connect } from 'node:net';

interface Pair {
  client: Socket;
  server: Socket;
}

export class ChaosProxy {
  private readonly pairs = new Set<Pair>();
  private listener: Server | undefined;
  private refuseUntil = 0;
  private stallUntil = 0;
  private slowUntil = 0;
  private bytesPerSecond = 0;
  port = 0;

  constructor(private readonly targetPort: () => number) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async listen(port = 0): Promise<number> {
    const s = createServer((client) => this.accept(client));
    this.listener = s;
    await new Promise<void>((done, fail) => {
      s.once('error', fail);
      s.listen(port, '127.0.0.1', () => done());
    });
    const a = s.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
    return this.port;
  }

  private accept(client: Socket): void {
    if (Date.now() < this.refuseUntil) {
      client.destroy();
      return;
    }
    const server = connect(this.targetPort(), '127.0.0.1');
    const pair: Pair = { client, server };
    this.pairs.add(pair);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      server.destroy();
    };
    client.on('error', close).on('close', close);
    server.on('error', close).on('close', close);
    client.on('data', (d: Buffer) => {
      server.write(d);
    });
    server.on('data', (d: Buffer) => {
      client.write(d);
      if (Date.now() < this.slowUntil) {
        // Throttled: read the next chunk only when this one has had its share of the rate.
        server.pause();
        setTimeout(() => this.resumeUnlessStalled(server), (d.length / this.bytesPerSecond) * 1000);
      }
    });
    if (Date.now() < this.stallUntil) {
      client.pause();
      server.pause();
    }
  }

  private resumeUnlessStalled(s: Socket): void {
    if (Date.now() >= this.stallUntil) s.resume();
  }

  cut(ms: number): void {
    this.refuseUntil = Date.now() + ms;
    for (const p of [...this.pairs]) {
      p.client.destroy();
      p.server.destroy();
    }
    this.pairs.clear();
  }

  stall(ms: number): void {
    this.stallUntil = Date.now() + ms;
    for (const p of this.pairs) {
      p.client.pause();
      p.server.pause();
    }
    setTimeout(() => {
      for (const p of this.pairs) {
        p.client.resume();
        p.server.resume();
      }
    }, ms).unref();
  }

  slow(ms: number, bytesPerSecond: number): void {
    this.bytesPerSecond = bytesPerSecond;
    this.slowUntil = Date.now() + ms;
  }

  async close(): Promise<void> {
    this.cut(0);
    await new Promise<void>((done) => (this.listener ? this.listener.close(() => done()) : done()));
  }
}
