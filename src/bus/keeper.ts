/**
 * Keeps the embedded nats-server alive: when it dies (kill -9, crash), it is started again on the
 * same JetStream store and the same port, so every connection (which reconnects forever) finds
 * it again and carries on. After more than `restartLimit` deaths, or when a restart fails, the
 * keeper gives up and `lost` settles with the reason: the owner then stops everything.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type EmbeddedNats, type EmbeddedNatsOptions, startEmbeddedNats } from './embedded.ts';

export interface BusKeeperEvents {
  died?: (info: { code: number | null; signal: NodeJS.Signals | null; deaths: number }) => void;
  restarted?: (info: { url: string; serverPid: number; deaths: number }) => void;
}

export interface BusKeeper {
  /** The server running now. */
  readonly server: EmbeddedNats;
  /** Deaths so far (each followed by a restart unless the keeper gave up). */
  readonly deaths: number;
  /** Settles with the reason when the keeper has given up on the server. */
  readonly lost: Promise<string>;
  stop(): Promise<void>;
}

export async function keepEmbeddedNats(
  opts: EmbeddedNatsOptions,
  restartLimit: number,
  events: BusKeeperEvents = {},
): Promise<BusKeeper> {
  let server = await startEmbeddedNats(opts);
  const restartOpts: EmbeddedNatsOptions = { ...opts, port: server.port };
  let deaths = 0;
  let stopping = false;
  let giveUp: (reason: string) => void = () => undefined;
  const lost = new Promise<string>((resolve) => (giveUp = resolve));

  const watch = async (): Promise<void> => {
    while (!stopping) {
      const exit = await server.exited;
      if (stopping) return;
      deaths++;
      events.died?.({ ...exit, deaths });
      if (deaths > restartLimit) {
        return giveUp(`nats-server died ${deaths} times (nats_restart_limit ${restartLimit})`);
      }
      try {
        server = await startEmbeddedNats(restartOpts);
      } catch (err) {
        // The port may still be held for a moment by the dead server's sockets: one more try.
        await sleep(500);
        if (stopping) return;
        try {
          server = await startEmbeddedNats(restartOpts);
        } catch {
          return giveUp(`nats-server could not be restarted: ${(err as Error).message}`);
        }
      }
      events.restarted?.({ url: server.url, serverPid: server.serverPid, deaths });
    }
  };
  void watch();

  return {
    get server() {
      return server;
    },
    get deaths() {
      return deaths;
    },
    lost,
    async stop() {
      stopping = true;
      await server.stop();
    },
  };
}
