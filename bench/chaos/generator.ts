/**
 * The chaos suite's order generator, a child process the suite kills -9 at random: it queues the
 * seeded requests on `<prefix>.orderreq.<strategy>.<instrument>` (message id
 * `orderreq:chaos-<seed>-<index>`, as the strategy order generator does) as the `orders` role,
 * one per free key (see requests.ts), and records each acknowledged index in a progress file so a
 * restarted generator resumes where it stopped.
 *
 * Usage: generator.ts <url> <credentials.json> <progress-file> <seed> <count> <instruments,...>
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '../../src/bus/connection.ts';
import { readCredentialsFile } from '../../src/bus/credentials.ts';
import { callService } from '../../src/bus/service.ts';
import { streamName, subject } from '../../src/bus/subjects.ts';
import { chaosRequests, keyOf } from './requests.ts';
import { PREFIX, STRATEGIES } from './system.ts';

const [url, credsFile, progressFile, seedArg, countArg, instrumentsArg] = process.argv.slice(2);
if (!url || !credsFile || !progressFile || !seedArg || !countArg || !instrumentsArg) {
  process.stderr.write('usage: generator.ts <url> <creds> <progress> <seed> <count> <instruments>\n');
  process.exit(2);
}
const seed = Number(seedArg);
const requests = chaosRequests(seed, Number(countArg), STRATEGIES, instrumentsArg.split(','));
const tok = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

function readProgress(): number {
  if (!existsSync(progressFile!)) return 0;
  const n = Number(readFileSync(progressFile!, 'utf8').trim());
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

function writeProgress(next: number): void {
  const fd = openSync(progressFile!, 'w');
  writeSync(fd, String(next));
  fsyncSync(fd);
  closeSync(fd);
}

interface ViewRow {
  strategyName?: string;
  strategy_name?: string;
  instrumentCode?: string;
  instrument_code?: string;
}

/** Keys with an active instrument order or a request still queued. */
async function busyKeys(nc: NatsConnection): Promise<Set<string>> {
  const rows = await callService<ViewRow[]>(
    nc,
    subject(PREFIX, 'orders', 'view', 'instrument'),
    { active_only: true },
    5000,
  );
  const busy = new Set(
    rows.map((r) =>
      keyOf(r.strategyName ?? r.strategy_name ?? '', r.instrumentCode ?? r.instrument_code ?? ''),
    ),
  );
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams
    .info(streamName(PREFIX, 'ORDER_REQUESTS'), { subjects_filter: subject(PREFIX, 'orderreq', '>') })
    .catch(() => undefined);
  for (const s of Object.keys(info?.state.subjects ?? {})) {
    const [strategy, instrument] = s.split('.').slice(-2);
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
  let next = readProgress();
  while (next < requests.length) {
    let busy: Set<string>;
    try {
      busy = await busyKeys(nc);
    } catch {
      await sleep(200); // the stack handler or the bus is away: wait for it
      continue;
    }
    // Queue the run of requests from `next` whose keys are free, in order.
    let queued = 0;
    while (next < requests.length) {
      const r = requests[next]!;
      const k = keyOf(r.strategy, r.instrument);
      if (busy.has(k)) break;
      const body = {
        strategy_name: r.strategy,
        instrument_code: r.instrument,
        trade: r.trade,
        order_type: 'market',
      };
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
        break; // not acknowledged: publish it again after the next look at the keys
      }
      busy.add(k);
      next++;
      writeProgress(next);
      queued++;
    }
    if (queued === 0) await sleep(50);
  }
  process.stdout.write('done\n');
  await nc.drain();
}

main().catch((err: unknown) => {
  process.stderr.write(`generator failed: ${String(err)}\n`);
  process.exit(1);
});
