/**
 * Debug timings of start-up steps (a standby's stack handler taking over, docs/deployment.md):
 * `timed(log, 'step', promise)` logs `{ step, ms }` at debug when the step settles. Durations are
 * monotonic (never compared with the injected clock's times).
 */
export interface DebugLog {
  debug(fields: object, msg: string): void;
}

export async function timed<T>(log: DebugLog, step: string, work: Promise<T>): Promise<T> {
  const t0 = performance.now(); // a duration: monotonic
  try {
    const out = await work;
    log.debug({ step, ms: Math.round(performance.now() - t0) }, `${step} done`);
    return out;
  } catch (err) {
    log.debug({ step, ms: Math.round(performance.now() - t0), err: String(err) }, `${step} failed`);
    throw err;
  }
}
