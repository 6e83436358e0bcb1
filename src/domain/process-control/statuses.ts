/** A process's control status (production doc "Change status of process"); no zod, for the CLI. */
export const PROCESS_STATUSES = ['GO', 'STOP', 'NO-RUN', 'PAUSE'] as const;
export type ProcessStatus = (typeof PROCESS_STATUSES)[number];
