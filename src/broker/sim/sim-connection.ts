/**
 * The simulated broker's connection: connected or not (events held while the connection is down
 * and delivered on reconnect, as IB replays them), the listeners its events go to, and the
 * scheduled work (acknowledgements, fills) that `idle()` waits for.
 */
import type { BrokerEvent, BrokerListener } from '../port.ts';
import { BrokerListeners } from '../orders.ts';

export class SimNotConnected extends Error {
  override readonly name = 'SimNotConnected';
}

export class SimConnection {
  protected connected = false;
  private held: BrokerEvent[] = [];
  private readonly listeners = new BrokerListeners();
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly latencyMs: number) {}

  isConnected(): boolean {
    return this.connected;
  }

  /** Drop the connection: events are held until `simulateReconnect`, requests fail meanwhile. */
  simulateDisconnect(): void {
    this.connected = false;
    this.listeners.tell({ type: 'connection', connected: false, code: 1100, message: 'sim disconnect' });
  }

  simulateReconnect(): void {
    this.connected = true;
    this.emit({ type: 'connection', connected: true, code: 1102 });
    const held = this.held;
    this.held = [];
    for (const e of held) this.emit(e);
  }

  onEvent(listener: BrokerListener): () => void {
    return this.listeners.add(listener);
  }

  /** Resolves when every scheduled acknowledgement and fill has been reported. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }

  protected schedule(fn: () => Promise<void> | void): void {
    const latency = this.latencyMs;
    const p = new Promise<void>((resolve) => {
      const run = (): void => {
        Promise.resolve()
          .then(fn)
          .catch((err: unknown) => this.emit({ type: 'error', code: 500, message: String(err) }))
          .finally(resolve);
      };
      if (latency > 0) setTimeout(run, latency);
      else setImmediate(run);
    });
    this.inflight.add(p);
    void p.then(() => this.inflight.delete(p));
  }

  protected emit(event: BrokerEvent): void {
    if (!this.connected && event.type !== 'connection') {
      this.held.push(event);
      return;
    }
    this.listeners.tell(event);
  }

  protected requireConnected(): void {
    if (!this.connected) throw new SimNotConnected('sim broker: not connected');
  }
}
