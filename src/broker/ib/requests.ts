/**
 * Requests to TWS awaiting their answer, by request id. IB routes an error to the id it concerns
 * (stack-notes §1.1), so a request fails with its own error; a lost socket fails them all; a
 * request not answered in time fails with IbRequestTimeout. Never an empty answer instead.
 *
 * Request ids start far above order ids, so an error's id says which of the two it is about.
 */
import { IbRequestFailed, IbRequestTimeout } from './errors.ts';

export const FIRST_REQ_ID = 1_500_000_000;
/** Fixed ids for the requests IB answers without one. */
export const OPEN_ORDERS_ID = -10;
export const POSITIONS_ID = -11;

interface Pending {
  label: string;
  rows: unknown[];
  resolve: (rows: unknown[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class IbRequests {
  private next = FIRST_REQ_ID;
  private readonly pending = new Map<number, Pending>();
  private readonly chains = new Map<number, Promise<unknown>>();

  constructor(private readonly timeoutMs: number) {}

  /** Issue a request; `issue` sends it with the id. Resolves with the rows gathered by `push`. */
  open<T>(label: string, issue: (reqId: number) => void, timeoutMs = this.timeoutMs): Promise<T[]> {
    const reqId = this.next++;
    return this.openWithId<T>(reqId, label, issue, timeoutMs);
  }

  /** As `open`, with a fixed id (for requests IB answers without one: positions, open orders). */
  openWithId<T>(
    reqId: number,
    label: string,
    issue: (reqId: number) => void,
    timeoutMs = this.timeoutMs,
  ): Promise<T[]> {
    return new Promise<T[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(reqId);
        reject(new IbRequestTimeout(`${label}: no answer from TWS within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(reqId, {
        label,
        rows: [],
        resolve: resolve as (rows: unknown[]) => void,
        reject,
        timer,
      });
      try {
        issue(reqId);
      } catch (err) {
        this.settle(reqId)?.reject(err as Error);
      }
    });
  }

  /** A fixed-id request, one at a time (a second waits for the first to finish). */
  serial<T>(reqId: number, label: string, issue: (reqId: number) => void): Promise<T[]> {
    const prior = this.chains.get(reqId) ?? Promise.resolve();
    const next = prior.then(
      () => this.openWithId<T>(reqId, label, issue),
      () => this.openWithId<T>(reqId, label, issue),
    );
    this.chains.set(
      reqId,
      next.catch(() => undefined),
    );
    return next;
  }

  has(reqId: number): boolean {
    return this.pending.has(reqId);
  }

  push(reqId: number, row: unknown): void {
    this.pending.get(reqId)?.rows.push(row);
  }

  end(reqId: number): void {
    const p = this.settle(reqId);
    p?.resolve(p.rows);
  }

  /** Route an error to its request; false when no request has that id. */
  fail(reqId: number, code: number, message: string, make = IbRequestFailed): boolean {
    const p = this.settle(reqId);
    if (!p) return false;
    p.reject(new make(`${p.label}: IB error ${code}: ${message}`, code, reqId));
    return true;
  }

  failAll(err: Error): void {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(err);
  }

  private settle(reqId: number): Pending | undefined {
    const p = this.pending.get(reqId);
    if (!p) return undefined;
    clearTimeout(p.timer);
    this.pending.delete(reqId);
    return p;
  }
}
