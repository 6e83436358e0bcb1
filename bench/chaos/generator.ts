/**
 * The chaos suite's order generator, a child process the suite kills -9 at random: it queues the
 * seeded requests on `<prefix>.orderreq.<strategy>.<instrument>` (message id
 * `orderreq:chaos-<seed>-<index>`, as the strategy order generator does) straight over NATS as
 * the `orders` role, each key's next request as soon as that key is free (see requests.ts), at
 * most `rate` a second. It records, per key, how many of its requests were acknowledged in a
 * progress file (fsync) so a restarted generator resumes where it stopped and never queues an
 * acknowledged request again.
 *
 * Usage: generator.ts <url> <credentials.json> <progress-file> <seed> <count> <instruments,...>
 *        <strategies> <rate>
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { JetStreamApiCodes, JetStreamApiError, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '../../src/bus/connection.ts';
import { readCredentialsFile } from '../../src/bus/credentials.ts';
import { callService } from '../../src/bus/service.ts';
import { streamName, subject } from '../../src/bus/subjects.ts';
import { ackFloor } from './queue.ts';
import { type ChaosRequest, chaosRequests, keyOf } from './requests.ts';
import { chaosStrategies, PREFIX } from './system.ts';

const [url, credsFile, progressFile, seedArg, countArg, instrumentsArg, strategiesArg, rateArg] =
  process.argv.slice(2);
if (!url || !credsFile || !progressFile || !seedArg || !countArg || !instrumentsArg || !strategiesArg) {
  process.stderr.write(
    'usage: generator.ts <url> <creds> <progress> <seed> <count> <instruments> <strategies> [rate]\n',
  );
  process.exit(2);
}
const seed = Number(seedArg);
const rate = Number(rateArg ?? '20');
const requests = chaosRequests(
  seed,
  Number(countArg),
  chaosStrategies(Number(strategiesArg)),
  instrumentsArg.split(','),
);
const tok = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

/** Each key's requests, in order. */
const byKey = new Map<string, ChaosRequest[]>();
for (const r of requests) {
  const k = keyOf(r.strategy, r.instrument);
  byKey.set(k, [...(byKey.get(k) ?? []), r]);
}

/** Per key, how many of its requests are acknowledged. */
function readProgress(): Map<string, number> {
  if (!existsSync(progressFile!)) return new Map();
  try {
    return new Map(Object.entries(JSON.parse(readFileSync(progressFile!, 'utf8')) as Record<string, number>));
  } catch {
    return new Map(); // never written whole (renamed into place): cannot happen; start over, ids dedupe
  }
}

function writeProgress(done: Map<string, number>): void {
  const tmp = `${progressFile!}.tmp`;
  const fd = openSync(tmp, 'w');
  writeSync(fd, JSON.stringify(Object.fromEntries(done)));
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, progressFile!);
}

interface ViewRow {
  strategyName?: string;
  strategy_name?: string;
  instrumentCode?: string;
  instrument_code?: string;
}

/**
 * Keys with an active instrument order or a request still queued. The queue is read before the
 * stack: the stack handler acks a request only once its order is on the stack, so a request that
 * leaves the queue meanwhile is seen in the view read after. Read the other way round, a request
 * taken off the queue between the two reads was in neither, and the key's next request was
 * queued on top of it (netted against it on insert, B5: a request traded twice or refused).
 */
async function busyKeys(nc: NatsConnection): Promise<Set<string>> {
  const busy = await queuedKeys(nc);
  const rows = await callService<ViewRow[]>(
    nc,
    subject(PREFIX, 'orders', 'view', 'instrument'),
    { active_only: true },
    5000,
  );
  for (const r of rows)
    busy.add(keyOf(r.strategyName ?? r.strategy_name ?? '', r.instrumentCode ?? r.instrument_code ?? ''));
  return busy;
}

/** Keys with a request in the queue that the stack handler has not yet acknowledged. */
async function queuedKeys(nc: NatsConnection): Promise<Set<string>> {
  const busy = new Set<string>();
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams
    .info(streamName(PREFIX, 'ORDER_REQUESTS'), { subjects_filter: subject(PREFIX, 'orderreq', '>') })
    .catch((err: unknown) => {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return undefined; // no queue yet: nothing queued
      throw err; // unknown is not empty
    });
  if (!info || info.state.messages === 0) return busy;
  // nats-server 2.9.10 can leave acknowledged messages in a work-queue stream after restarts:
  // only those the stack handler has not yet acknowledged (above its ack floor) are queued.
  const floor = await ackFloor(nc);
  for (let seq = Math.max(info.state.first_seq, floor + 1); seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams
      .getMessage(streamName(PREFIX, 'ORDER_REQUESTS'), { seq })
      .catch(() => undefined);
    if (!m) continue; // deleted (taken off the queue)
    const [strategy, instrument] = m.subject.split('.').slice(-2);
    busy.add(keyOf(strategy!, instrument!));
  }
  return busy;
}

async function main(): Promise<void> {
  const c = readCredentialsFile(credsFile!);
  let nc: NatsConnection | undefined;
  while (!nc) {
    nc = await connectNats({ url: url!, name: 'chaos-generator', user: c.user, pass: c.password }).catch(
      async () => {
        await sleep(200); // the bus is being restarted: try again
        return undefined;
      },
    );
  }
  const js = jetstream(nc);
  const done = readProgress();
  const left = () => [...byKey].some(([k, rs]) => (done.get(k) ?? 0) < rs.length);
  const gapMs = 1000 / rate;
  while (left()) {
    let busy: Set<string>;
    try {
      busy = await busyKeys(nc);
    } catch {
      await sleep(200); // the stack handler or the bus is away: wait for it
      continue;
    }
    let queued = 0;
    for (const [k, rs] of byKey) {
      const r = rs[done.get(k) ?? 0];
      if (!r || busy.has(k)) continue;
      const body = {
        strategy_name: r.strategy,
        instrument_code: r.instrument,
        trade: r.trade,
        order_type: 'market',
      };
      const t0 = Date.now();
      try {
        await js.publish(
          subject(PREFIX, 'orderreq', tok(r.strategy), tok(r.instrument)),
          JSON.stringify(body),
          {
            msgID: `orderreq:chaos-${seed}-${r.index}`,
            timeout: 5000,
          },
        );
      } catch {
        break; // not acknowledged: publish it again (same id) after the next look at the keys
      }
      done.set(k, (done.get(k) ?? 0) + 1);
      writeProgress(done);
      queued++;
      const wait = gapMs - (Date.now() - t0);
      if (wait > 0) await sleep(wait); // at most `rate` a second
    }
    if (queued === 0) await sleep(100);
  }
  process.stdout.write('done\n');
  await nc.drain();
}

main().catch((err: unknown) => {
  process.stderr.write(`generator failed: ${String(err)}\n`);
  process.exit(1);
});
