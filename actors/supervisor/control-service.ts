/**
 * The process-control service (interactive_controls "Process control & monitoring", digest §4
 * P10, P11): view processes, change the status of one or all, mark finished, mark all dead
 * processes finished, view the process configuration. A micro-service on
 * `<prefix>.control.process.*`; bad input gets a 400 and changes nothing.
 */
import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  CONTROL_ENDPOINTS,
  configRequest,
  listRequest,
  markDeadFinishedRequest,
  markFinishedRequest,
  setStatusRequest,
} from '../../src/bus/schemas/process-control.ts';
import { ErrorCodes, endpoint, ServiceError, startService } from '../../src/bus/service.ts';
import { controlSubject } from '../../src/bus/schemas/process-control-endpoints.ts';
import type { Clock } from '../../src/clock.ts';
import type { ControlConfig } from '../../src/domain/process-control/config.ts';
import type { Logger } from '../../src/log/logger.ts';
import { markDeadProcessesFinished } from './dead-process.ts';
import { LeaseAges } from './lease-ages.ts';
import type { ProcessStore } from './process-store.ts';
import { processRows } from './process-view.ts';

export interface ControlServiceOptions {
  nc: NatsConnection;
  prefix: string;
  store: ProcessStore;
  control: ControlConfig;
  clock: Clock;
  host: string;
  log: Logger;
  staleAfterMs?: number;
  /** Lease ages as the supervisor observes them (`LeaseAges`); default: a fresh observer. */
  ages?: LeaseAges;
  reasons?: ReadonlyMap<string, string>;
}

export { controlSubject };

export function startControlService(o: ControlServiceOptions): Promise<Service> {
  // A lease is dead when this supervisor has seen it unrenewed for staleAfterMs (its own
  // monotonic clock): no other host's wall clock is read.
  const ages = o.ages ?? new LeaseAges();
  // Only own keys of the configured processes: `__proto__`, `constructor` and the like are
  // names of nothing, so they are bad requests (400) and nothing is written.
  const known = (name: string) => {
    if (!Object.hasOwn(o.control.processes, name)) {
      throw new ServiceError(ErrorCodes.badRequest, `unknown process '${name}'`, {
        known: Object.keys(o.control.processes),
      });
    }
  };
  const rows = () => processRows(o.store, o.control, o.reasons);
  return startService(
    o.nc,
    {
      name: 'systack-process-control',
      version: '0.1.0',
      description: 'Process control: statuses, leases, dead processes, configuration',
      endpoints: [
        endpoint({
          name: CONTROL_ENDPOINTS.list,
          subject: controlSubject(o.prefix, CONTROL_ENDPOINTS.list),
          description: 'View processes',
          schema: listRequest,
          handler: rows,
        }),
        endpoint({
          name: CONTROL_ENDPOINTS.setStatus,
          subject: controlSubject(o.prefix, CONTROL_ENDPOINTS.setStatus),
          description: 'Change the status of one process or all (GO, STOP, NO-RUN, PAUSE)',
          schema: setStatusRequest,
          handler: async (r) => {
            const names = r.process === 'all' ? Object.keys(o.control.processes) : [r.process];
            for (const n of names) known(n);
            for (const n of names) await o.store.setStatus(n, r.status, o.clock.now());
            o.log.info({ processes: names, status: r.status }, 'process status changed');
            return (await rows()).filter((row) => names.includes(row.name));
          },
        }),
        endpoint({
          name: CONTROL_ENDPOINTS.markFinished,
          subject: controlSubject(o.prefix, CONTROL_ENDPOINTS.markFinished),
          description:
            'Mark a process as finished (revokes its lease; a live holder stops at its next heartbeat)',
          schema: markFinishedRequest,
          handler: async (r) => {
            known(r.process);
            const lease = await o.store.getLease(r.process);
            const wasRunning = lease !== undefined && (await o.store.releaseLease(r.process, lease.revision));
            // A person marking it finished also clears the crashed flag, so dependants may run.
            await o.store.updateRecord(r.process, {
              ...(wasRunning ? { lastEnd: o.clock.now(), lastOutcome: 'marked finished' } : {}),
              recentlyCrashed: false,
            });
            o.log.warn({ type: r.process, was_running: wasRunning }, `${r.process} marked as finished`);
            const row = (await rows()).find((x) => x.name === r.process);
            return { ...row, was_running: wasRunning };
          },
        }),
        endpoint({
          name: CONTROL_ENDPOINTS.markDeadFinished,
          subject: controlSubject(o.prefix, CONTROL_ENDPOINTS.markDeadFinished),
          description: 'Mark all dead processes as finished (stale heartbeat or no such pid on this host)',
          schema: markDeadFinishedRequest,
          handler: async () => ({
            marked: await markDeadProcessesFinished(
              o.store,
              {
                ageOf: (name, lease) => ages.age(`lease.${name}`, lease.revision),
                staleAfterMs: o.staleAfterMs ?? 15_000,
                host: o.host,
              },
              o.clock,
              o.log,
            ),
          }),
        }),
        endpoint({
          name: CONTROL_ENDPOINTS.config,
          subject: controlSubject(o.prefix, CONTROL_ENDPOINTS.config),
          description: 'View process configuration',
          schema: configRequest,
          handler: (r) => {
            if (r.process) {
              known(r.process);
              return [o.control.processes[r.process]];
            }
            return Object.values(o.control.processes);
          },
        }),
      ],
    },
    (err) => o.log.error({ err }, 'control service error'),
  );
}
