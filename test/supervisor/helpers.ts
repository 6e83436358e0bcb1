import pino from 'pino';
import type { ProcessConfig } from '../../src/domain/process-control/config.ts';
import type { Logger } from '../../src/log/logger.ts';

/** A silent logger that records critical lines (level 60 'critical' custom level). */
export function testLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino(
    { customLevels: { critical: 55 }, level: 'info' },
    { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) },
  ) as unknown as Logger;
  return { log, lines };
}

export function proc(name: string, over: Partial<ProcessConfig> = {}): ProcessConfig {
  return {
    name,
    startTime: '00:00',
    stopTime: '23:59',
    previousProcess: undefined,
    methods: [],
    host: undefined,
    restart: { mode: 'never', maxRestarts: 0 },
    arguments: {},
    ...over,
  };
}

export const method = (name: string, over: Partial<ProcessConfig['methods'][number]> = {}) => ({
  name,
  frequencyMinutes: 0,
  maxExecutions: 1,
  runOnCompletionOnly: false,
  heartbeatMinutes: 10,
  extra: {},
  ...over,
});

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export async function until(pred: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
