// Hot standby on a 3-node NATS cluster (docs/deployment.md): two `systack supervise` on two
// "hosts" (two supervisors with their children) share the cluster on the default lease settings;
// one is active and runs the stack handler, the other waits with a warm stack handler (started,
// connected, owning nothing). The active host reaches the cluster through its own node only; its
// supervisor keeps every catalogued stream's leader off that node (leader-placement.ts). Mid-run
// the whole active host is killed -9 together with its node: the standby takes over by saying
// `go` to its warm stack handler, which takes the lease and
// restores the orders from JetStream, and every request trades exactly once (no order sent
// twice, positions = fills = broker). The scenario is bench/standby/scenario.ts; its times are
// printed, not asserted (`npm run bench:standby` prints N runs' distribution).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTakeover } from '../../bench/standby/scenario.ts';

describe('hot standby supervisor on a 3-node cluster', () => {
  it('kill -9 of the active host and a cluster node together mid-run: the standby takes over, nothing traded twice', async () => {
    const run = await runTakeover(mkdtempSync(join(tmpdir(), 'systack-standby-')));
    process.stdout.write(`${JSON.stringify(run)}\n`);
    expect(run.invariants).toMatchObject({
      lost_fills: 0,
      duplicate_fills: 0,
      duplicate_broker_orders: 0,
      doubled_requests: 0,
      position_mismatches: 0,
      process_control_inconsistencies: 0,
    });
    expect(run.invariants.fills).toBeGreaterThan(0);
    // The active supervisor had moved every replicated stream's (and durable consumer's) leader
    // off its own node: the node that died with the host led none of them.
    expect(run.leaders_on_killed_node).toEqual([]);
    // The takeover said `go` to the warm stack handler instead of starting one.
    expect(run.warm).toBe(true);
  }, 300_000);
});
