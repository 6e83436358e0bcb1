/**
 * Runs a strategy machine (machines/strategy.ts): feeds it clock ticks and, while it is
 * `running`, performs the system run and reports SYSTEM_DONE / SYSTEM_FAILED.
 */
import { type Actor, createActor } from 'xstate';
import { type StrategyMachineInput, strategyMachine } from '../machines/strategy.ts';
import type { Clock } from '../src/clock.ts';

export type StrategyRun = (strategy: string) => Promise<{ positions: number }>;

export class StrategyHost {
  readonly actor: Actor<typeof strategyMachine>;
  private inFlight: Promise<void> | undefined;

  constructor(
    input: StrategyMachineInput,
    private readonly run: StrategyRun,
    private readonly clock: Clock,
  ) {
    this.actor = createActor(strategyMachine, { input });
    this.actor.start();
  }

  get state(): string {
    return String(this.actor.getSnapshot().value);
  }

  get context() {
    return this.actor.getSnapshot().context;
  }

  /** Send a clock tick; if that starts a run, perform it and wait for its outcome. */
  async tick(): Promise<string> {
    if (this.inFlight) {
      await this.inFlight;
      return this.state;
    }
    this.actor.send({ type: 'CLOCK_TICK', now: this.clock.now() });
    if (this.actor.getSnapshot().hasTag('busy')) {
      this.inFlight = this.perform();
      await this.inFlight;
      this.inFlight = undefined;
    }
    return this.state;
  }

  stop(): void {
    this.actor.send({ type: 'STOP' });
  }

  private async perform(): Promise<void> {
    const strategy = this.actor.getSnapshot().context.strategy_name;
    try {
      const r = await this.run(strategy);
      this.actor.send({ type: 'SYSTEM_DONE', now: this.clock.now(), positions: r.positions });
    } catch (err) {
      this.actor.send({
        type: 'SYSTEM_FAILED',
        now: this.clock.now(),
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}
