/** The process machine's input, context, events and output (machines/process.ts). */
import type { MethodConfig, ProcessStatus } from '../src/domain/process-control/config.ts';
import type { MethodTimer } from '../src/domain/process-control/method-timer.ts';
import type { PreviousProcessRecord } from '../src/domain/process-control/timing.ts';

export interface ProcessMachineInput {
  process: string;
  host: string;
  /** Machine assignment: undefined means any host. */
  assignedHost: string | undefined;
  startTime: string;
  stopTime: string;
  timeZone: string;
  previousProcess: string | undefined;
  methods: MethodConfig[];
  status: ProcessStatus;
  /** Another instance holds the lease at launch. */
  running: boolean;
  previous: PreviousProcessRecord | undefined;
  now: number;
}

export interface ProcessMachineContext extends ProcessMachineInput {
  timers: Record<string, MethodTimer>;
  /** Index of the method that ran last (or -1), for round-robin passes. */
  cursor: number;
  currentMethod: string | undefined;
  completionQueue: string[];
  startedAt: number | undefined;
  reason: string | undefined;
  error: string | undefined;
  outcome: ProcessOutcome | undefined;
  /** Why the host abandons this run (ABANDON), when it does. */
  abandoned: string | undefined;
}

export type ProcessMachineEvent =
  | { type: 'CLOCK_TICK'; now: number }
  | { type: 'STATUS'; status: ProcessStatus }
  | { type: 'PREVIOUS'; record: PreviousProcessRecord | undefined }
  | { type: 'RUNNING_ELSEWHERE'; running: boolean }
  | { type: 'LEASE_ACQUIRED'; now: number }
  | { type: 'LEASE_REFUSED'; reason: string }
  | { type: 'LEASE_LOST'; reason: string }
  | { type: 'ABANDON'; reason: string }
  | { type: 'METHOD_DONE'; now: number }
  | { type: 'METHOD_FAILED'; now: number; error: string };

export type ProcessOutcome = 'finished' | 'not-started' | 'failed' | 'lease-lost';
export interface ProcessMachineOutput {
  outcome: ProcessOutcome;
  reason: string | undefined;
}
