/** The "View processes" rows (production doc "Process control & monitoring"). */
import type { ProcessRow } from '../../src/bus/schemas/process-control.ts';
import type { ControlConfig } from '../../src/domain/process-control/config.ts';
import type { ProcessStore } from './process-store.ts';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export async function processRows(
  store: ProcessStore,
  control: ControlConfig,
  reasons?: ReadonlyMap<string, string>,
): Promise<ProcessRow[]> {
  const leases = await store.listLeases();
  return Promise.all(
    Object.values(control.processes).map(async (p) => {
      const [record, status] = await Promise.all([store.getRecord(p.name), store.getStatus(p.name)]);
      const lease = leases.get(p.name);
      return {
        name: p.name,
        running: lease !== undefined,
        status,
        pid: lease?.pid ?? null,
        host: lease?.host ?? null,
        last_start: iso(record.lastStart),
        last_end: iso(record.lastEnd),
        crashed: record.recentlyCrashed,
        previous_process: p.previousProcess ?? null,
        window: `${p.startTime}-${p.stopTime}`,
        last_outcome: record.lastOutcome ?? null,
        supervisor: reasons?.get(p.name) ?? null,
      };
    }),
  );
}
