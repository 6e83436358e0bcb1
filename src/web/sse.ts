/**
 * Server-sent event streams on Hono (`hono/streaming`), shared by the monitor (live.ts) and the
 * machine visualizer (visualizer/routes.ts): a stream stays open until the browser goes away
 * (the response is cancelled) or the server closes every stream (`closeAll`, on shutdown).
 */
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';

/** One open stream: writes are queued in order; a slow browser never blocks the sender. */
export interface EventStream {
  send(event: string, data: string): void;
  comment(text: string): void;
}

export class EventStreams {
  private readonly open = new Map<EventStream, () => void>();

  /**
   * Answer `c` with an event stream. `onOpen` writes what a new client gets first and returns
   * what to undo when the stream closes.
   */
  respond(c: Context, onOpen: (s: EventStream) => (() => void) | void): Response {
    return streamSSE(c, async (stream) => {
      const s: EventStream = {
        send: (event, data) => void stream.writeSSE({ event, data }),
        comment: (text) => void stream.write(`: ${text}\n\n`),
      };
      const stop = onOpen(s);
      await new Promise<void>((resolve) => {
        this.open.set(s, resolve);
        stream.onAbort(resolve);
        if (stream.aborted) resolve();
      });
      this.open.delete(s);
      stop?.();
    });
  }

  get size(): number {
    return this.open.size;
  }

  each(f: (s: EventStream) => void): void {
    for (const s of this.open.keys()) f(s);
  }

  /** End every open stream (server shutdown). */
  closeAll(): void {
    for (const end of [...this.open.values()]) end();
  }
}
