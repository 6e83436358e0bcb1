/**
 * Hedged JetStream API requests for a cluster connection (src/bus/replicas.ts): while one ask has
 * no answer it is asked again, the earlier asks still awaited, and the first answer wins.
 */
import type { Msg, Payload, RequestOptions } from '@nats-io/transport-node';
import { TimeoutError } from '@nats-io/transport-node';

/**
 * While a read or a consumer create has no answer, it is asked again this often (an ephemeral
 * consumer's create under a new name), the earlier ones still awaited: the first answer wins.
 * A create answers in milliseconds; one placed on a dead peer never does (nats-server 2.9 places
 * about one in three one-replica consumers there while a node is down, and every object-store
 * read and KV key listing makes one), and a read sent to a stream leader that died is answered by
 * no one, while the same read sent after the stream's election is answered at once. Waiting each
 * one out (5 s, or a timeout growing by a quarter of a second per attempt) cost a standby's stack
 * handler up to ~9 s of start-up (test/cluster/standby.test.ts); a slow but live server still
 * answers the first ask.
 */
export const HEDGE_CREATE_MS = 250;
export const HEDGE_READ_MS = 500;
/** At most this many asks in flight for one request (an ask goes when an earlier one times out). */
const HEDGE_MAX_IN_FLIGHT = 10;

export type Request = (subject: string, payload?: Payload, opts?: RequestOptions) => Promise<Msg>;

/**
 * Ask, and while no answer has come ask again every `everyMs` (at most `HEDGE_MAX_IN_FLIGHT` asks
 * in flight, each with the request's own timeout) until `deadline` (monotonic ms), `ask(n)` giving
 * the n-th ask's subject and data. The first answer wins; a failure other than a timeout ends it;
 * a timeout once the deadline has passed and every ask timed out.
 */
export function hedged(
  request: Request,
  ask: (n: number) => [string, Uint8Array],
  everyMs: number,
  deadline: number,
  opts?: RequestOptions,
): Promise<Msg> {
  return new Promise((resolve, reject) => {
    let done = false;
    let inFlight = 0;
    let asks = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      f();
    };
    const fire = () => {
      if (done) return;
      const more = performance.now() < deadline; // a duration: monotonic
      if (inFlight < HEDGE_MAX_IN_FLIGHT && (more || asks === 0)) {
        asks++;
        inFlight++;
        const [subject, data] = ask(asks);
        request(subject, data, opts).then(
          (m) => finish(() => resolve(m)),
          (err: unknown) => {
            inFlight--;
            if (!(err instanceof TimeoutError)) finish(() => reject(err as Error));
            else if (inFlight === 0 && performance.now() >= deadline) finish(() => reject(err));
            else if (inFlight === 0) {
              // every ask so far timed out: ask again now
              clearTimeout(timer);
              fire();
            }
          },
        );
      }
      if (more) timer = setTimeout(fire, everyMs);
    };
    fire();
  });
}
