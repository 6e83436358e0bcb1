/** The process-control service's endpoints and subjects (no zod, so a CLI query loads none). */
import { subject } from '../subjects.ts';

export const CONTROL_ENDPOINTS = {
  list: 'list',
  setStatus: 'set_status',
  markFinished: 'mark_finished',
  markDeadFinished: 'mark_dead_finished',
  config: 'config',
} as const;

/** `<prefix>.control.process.<endpoint>`. */
export const controlSubject = (prefix: string, ep: string) => subject(prefix, 'control', 'process', ep);
