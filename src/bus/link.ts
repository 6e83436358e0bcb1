import type { NatsConnection } from '@nats-io/transport-node';

/** Whether a connection is up now, from its status events (disconnect / reconnect / close). */
export interface BusLink {
  up(): boolean;
}

export function watchBusLink(nc: NatsConnection): BusLink {
  let up = !nc.isClosed();
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'close') up = false;
      else if (s.type === 'reconnect') up = true;
    }
  })();
  return { up: () => up && !nc.isClosed() };
}
