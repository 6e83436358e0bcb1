/**
 * Hot-standby takeover times (docs/deployment.md): the scenario of test/cluster/standby.test.ts
 * (bench/standby/scenario.ts) run N times, each on a fresh 3-node cluster; prints one JSON line
 * per run and then the distribution of each phase, in ms after the kill -9:
 *   detect_elect  the standby holds the `leader` key (its stale count and the bucket's election)
 *   claim         from then to the stack handler's lease taken (first pass, `go`, the lease)
 *   restore       from the lease to the stack handler started (stack read, broker, services)
 *   total         the stack handler answers an order view (as the scenario saw it)
 * The host (connected to its own cluster node only) dies with that node, after its supervisor
 * moved every catalogued stream's leader off it (actors/supervisor/leader-placement.ts).
 * With --keep-node the host dies but its cluster node lives.
 * Run: npm run bench:standby -- --runs 10 [--keep-node]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runTakeover, type TakeoverRun } from './standby/scenario.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, 'keep-node': { type: 'boolean', default: false } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1)
  throw new Error(`--runs must be a positive integer, got '${values.runs}'`);

const phasesOf = (r: TakeoverRun) => {
  const p = r.phases_ms;
  const [leader, lease, restored] = [p.leader_taken, p.stack_lease_taken, p.stack_handler_restored];
  return {
    election: r.election_ms,
    detect_elect: r.standby_takeover_ms,
    claim: lease === null || leader === null ? null : lease - leader,
    restore: lease === null || restored === null ? null : restored - lease,
    total: r.stack_handler_back_ms,
  };
};

const all: ReturnType<typeof phasesOf>[] = [];
let unsafe = 0;
for (let i = 0; i < runs; i++) {
  const r = await runTakeover(mkdtempSync(join(tmpdir(), 'systack-bench-standby-')), {
    keepNode: values['keep-node'],
  });
  const inv = r.invariants;
  const safe =
    inv.lost_fills + inv.duplicate_fills + inv.duplicate_broker_orders + inv.doubled_requests === 0 &&
    inv.position_mismatches === 0;
  if (!safe) unsafe++;
  const phases = phasesOf(r);
  all.push(phases);
  process.stdout.write(
    `${JSON.stringify({ run: i + 1, warm: r.warm, safe, led_by_killed_node: r.leaders_on_killed_node, ms: phases })}\n`,
  );
}

const stats = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return {
    min: v[0],
    p50: v[Math.floor((v.length - 1) / 2)],
    max: v[v.length - 1],
    values: v,
  };
};
const keys = ['election', 'detect_elect', 'claim', 'restore', 'total'] as const;
process.stdout.write(
  `${JSON.stringify({
    runs,
    cluster_node_killed: !values['keep-node'],
    unsafe_runs: unsafe,
    over_10s: all.filter((p) => p.total > 10_000).length,
    ms: Object.fromEntries(keys.map((k) => [k, stats(all.map((p) => p[k]))])),
  })}\n`,
);
