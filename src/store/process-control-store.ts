/**
 * The process control storage port (digest §10): a revision-checked lease per process instead of
 * the reference's `currently_running` flag and PID sweep (P7, P11), the process record, the
 * GO / STOP / NO-RUN / PAUSE status, per-method state and the supervisor's clock anchor.
 *
 * Backends: JetStream KV (`actors/supervisor/process-store.ts`, bucket `<PREFIX>_process_control`)
 * and MongoDB (`src/store/mongo/process-control.ts`, collection `process_control`), both with the
 * same keys (`lease.<process>`, `record.<process>`, `status.<process>`, `methods.<process>`,
 * `clock`) and checked by the same conformance suite.
 */
import type { ProcessStatus } from '../domain/process-control/config.ts';

export interface Lease {
  owner: string;
  pid: number;
  host: string;
  /** Clock time (possibly simulated) when the process started. */
  acquiredAt: number;
  /** Wall-clock ms of the last heartbeat (staleness is judged in real time). */
  heartbeatAt: number;
}

export interface HeldLease extends Lease {
  revision: number;
}

export interface ProcessRecord {
  lastStart: number | undefined;
  lastEnd: number | undefined;
  recentlyCrashed: boolean;
  lastOutcome: string | undefined;
  lastReason: string | undefined;
  lastPid: number | undefined;
  lastHost: string | undefined;
}

export interface MethodState {
  executions: number;
  lastRun: number | undefined;
  lastEnd: number | undefined;
  lastHeartbeat: number | undefined;
  running: boolean;
}

export interface ClockAnchor {
  anchorSim: number;
  anchorReal: number;
  speed: number;
}

export const EMPTY_RECORD: ProcessRecord = {
  lastStart: undefined,
  lastEnd: undefined,
  recentlyCrashed: false,
  lastOutcome: undefined,
  lastReason: undefined,
  lastPid: undefined,
  lastHost: undefined,
};

export type LeaseResult = { ok: true; revision: number } | { ok: false; holder: Lease };

export interface ProcessControlStore {
  /** Take the lease, or return the current holder when it is held. */
  acquireLease(name: string, lease: Lease): Promise<LeaseResult>;
  /**
   * Heartbeat with a revision check; undefined means the lease is no longer ours. Any other
   * failure (the store unreachable, a timeout) is thrown: the lease may well still be ours.
   */
  heartbeat(name: string, lease: Lease, revision: number): Promise<number | undefined>;
  /** Release the lease only if it is still at `revision`. */
  releaseLease(name: string, revision: number): Promise<boolean>;
  getLease(name: string): Promise<HeldLease | undefined>;
  listLeases(): Promise<Map<string, HeldLease>>;
  getRecord(name: string): Promise<ProcessRecord>;
  updateRecord(name: string, patch: Partial<ProcessRecord>): Promise<ProcessRecord>;
  getStatus(name: string): Promise<ProcessStatus>;
  setStatus(name: string, status: ProcessStatus, changedAt: number): Promise<void>;
  putMethods(name: string, methods: Record<string, MethodState>): Promise<void>;
  getMethods(name: string): Promise<Record<string, MethodState>>;
  putClock(anchor: ClockAnchor): Promise<void>;
  getClock(): Promise<ClockAnchor | undefined>;
  /** Every key held, sorted (`lease.<process>`, `record.<process>`, ..., `clock`). */
  keys(): Promise<string[]>;
  /** Watch status changes of one process (calls back with the new status); returns a stop. */
  watchStatus(name: string, onStatus: (s: ProcessStatus) => void): Promise<() => void>;
}
