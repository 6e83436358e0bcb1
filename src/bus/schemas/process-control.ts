/**
 * Bodies of the process-control endpoints (`systack control`, production doc "Process control
 * & monitoring"). Subjects: `<prefix>.control.process.<endpoint>`.
 */
import { z } from 'zod';
import { PROCESS_STATUSES } from '../../domain/process-control/config.ts';

const processName = z.string().regex(/^[A-Za-z0-9_-]+$/, 'a process name such as run_stack_handler');

export { CONTROL_ENDPOINTS } from './process-control-endpoints.ts';

export const listRequest = z.strictObject({});
export const setStatusRequest = z.strictObject({
  /** One process, or `all` (global status change). */
  process: z.union([z.literal('all'), processName]),
  status: z.enum(PROCESS_STATUSES),
});
export const markFinishedRequest = z.strictObject({ process: processName });
export const markDeadFinishedRequest = z.strictObject({});
export const configRequest = z.strictObject({ process: processName.optional() });

/** One row of "View processes" (the reference's columns). */
export interface ProcessRow {
  name: string;
  running: boolean;
  status: string;
  pid: number | null;
  host: string | null;
  last_start: string | null;
  last_end: string | null;
  crashed: boolean;
  previous_process: string | null;
  window: string;
  last_outcome: string | null;
  /** The supervisor's last launch decision (why it is or is not running). */
  supervisor: string | null;
}
