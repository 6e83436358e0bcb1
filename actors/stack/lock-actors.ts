/**
 * Instrument locks as actors (issue 10 §1; digest H1, H3, H4): one actor per instrument that has
 * been locked or compared, running machines/instrument-lock.ts. LOCK / UNLOCK (manual, with a
 * reason) and POSITIONS_COMPARED (the external-break check) are its events; whether an instrument
 * is locked, and why, is its machine's state: `lockedManually`, `lockedByBreak` or `unlocked`. A
 * manual lock never auto-unlocks; a break lock clears when the positions agree (the machine decides).
 *
 * Persistence: the state is written to the stack's KV bucket (`locks.<instrument>`, reason `manual`
 * or `break`) on every lock or unlock the machine makes; a restore starts each locked instrument's
 * actor in that state (machine.resolveState). Inspection: each transition is published on
 * `<prefix>.inspect.order.lock.<instrument>` (docs/stack-handler.md "Inspection").
 */
import { type Actor, createActor } from 'xstate';
import {
  type InstrumentLockEmitted,
  type InstrumentLockEvent,
  instrumentLockMachine,
} from '../../machines/instrument-lock.ts';
import type { ContractPositions } from '../../src/domain/orders/index.ts';
import { subject } from '../../src/bus/subjects.ts';
import type { LockReason } from '../store/stack-kv.ts';
import type { StackCore } from './core.ts';

type LockActor = Actor<typeof instrumentLockMachine>;
type LockState = 'unlocked' | 'lockedByBreak' | 'lockedManually';

const REASON: Record<LockState, LockReason | undefined> = {
  unlocked: undefined,
  lockedByBreak: 'break',
  lockedManually: 'manual',
};

/** What an instrument's lock actor did with one event. */
export interface LockChange {
  instrumentCode: string;
  before: LockReason | undefined;
  after: LockReason | undefined;
  emitted: InstrumentLockEmitted[];
}

export class InstrumentLocks {
  private readonly actors = new Map<string, { actor: LockActor; version: number }>();

  constructor(private readonly core: StackCore) {}

  /** Start the actors of the locks read from KV, each in its stored state. */
  restore(stored: ReadonlyMap<string, LockReason>, notes: ReadonlyMap<string, string> = new Map()): void {
    for (const [instrumentCode, reason] of stored) {
      const value: LockState = reason === 'manual' ? 'lockedManually' : 'lockedByBreak';
      const snapshot = instrumentLockMachine.resolveState({
        value,
        context: {
          instrumentCode,
          breaks: [],
          lastCheckedAt: null,
          lockedAt: null,
          reason: notes.get(instrumentCode) ?? (reason === 'manual' ? 'manual' : 'position break'),
        },
      });
      this.start(instrumentCode, snapshot);
    }
  }

  private start(instrumentCode: string, snapshot?: ReturnType<typeof instrumentLockMachine.resolveState>) {
    const actor = createActor(instrumentLockMachine, {
      input: { instrumentCode },
      ...(snapshot ? { snapshot } : {}),
    });
    actor.start();
    const slot = { actor, version: 0 };
    this.actors.set(instrumentCode, slot);
    return slot;
  }

  private slot(instrumentCode: string) {
    return this.actors.get(instrumentCode) ?? this.start(instrumentCode);
  }

  /** The lock of an instrument (undefined: not locked), from its actor's state. */
  reason(instrumentCode: string): LockReason | undefined {
    const a = this.actors.get(instrumentCode);
    return a ? REASON[a.actor.getSnapshot().value] : undefined;
  }

  isLocked(instrumentCode: string): boolean {
    return this.reason(instrumentCode) !== undefined;
  }

  /** Every locked instrument with its reason (the stack's `locks`). */
  entries(): Map<string, LockReason> {
    const out = new Map<string, LockReason>();
    for (const code of [...this.actors.keys()].sort()) {
      const r = this.reason(code);
      if (r) out.set(code, r);
    }
    return out;
  }

  /** Every locked instrument with its machine's reason text (`manual: <why>`, `position break: ...`). */
  notes(): Map<string, string> {
    const out = new Map<string, string>();
    for (const code of [...this.actors.keys()].sort()) {
      const s = this.actors.get(code)!.actor.getSnapshot();
      if (REASON[s.value] !== undefined) out.set(code, s.context.reason ?? '');
    }
    return out;
  }

  /** Instruments with an actor (locked now, or compared before). */
  instruments(): string[] {
    return [...this.actors.keys()];
  }

  /** The machine's state and context of one instrument's lock (inspection, tests). */
  view(instrumentCode: string): { state: string; context: Record<string, unknown> } {
    const s = this.slot(instrumentCode).actor.getSnapshot();
    return { state: s.value, context: { ...s.context } };
  }

  /**
   * One event to an instrument's lock actor. When the lock changes, the new state is written to KV
   * (awaited: a lock is durable before it is reported) and the transition is published.
   */
  async send(instrumentCode: string, event: InstrumentLockEvent): Promise<LockChange> {
    const slot = this.slot(instrumentCode);
    const before = REASON[slot.actor.getSnapshot().value];
    const emitted: InstrumentLockEmitted[] = [];
    const sub = slot.actor.on('*', (e) => emitted.push(e));
    try {
      slot.actor.send(event);
    } finally {
      sub.unsubscribe();
    }
    const after = REASON[slot.actor.getSnapshot().value];
    if (before !== after || emitted.length > 0) {
      slot.version++;
      this.publish(instrumentCode, event.type, slot.version);
    }
    const note = slot.actor.getSnapshot().context.reason ?? undefined;
    if (before !== after)
      await this.core.kv.setLock(instrumentCode, after, after === undefined ? undefined : note);
    return { instrumentCode, before, after, emitted };
  }

  /** Manual lock (H4) with a reason. */
  lock(instrumentCode: string, reason: string): Promise<LockChange> {
    return this.send(instrumentCode, { type: 'LOCK', reason, at: this.core.now() });
  }

  /** Manual unlock (H4): clears a manual or a break lock. */
  unlock(instrumentCode: string): Promise<LockChange> {
    return this.send(instrumentCode, { type: 'UNLOCK', at: this.core.now() });
  }

  /** The external-break check's comparison for one instrument (positions by contract date). */
  compared(instrumentCode: string, ours: ContractPositions, broker: ContractPositions): Promise<LockChange> {
    return this.send(instrumentCode, { type: 'POSITIONS_COMPARED', ours, broker, at: this.core.now() });
  }

  private publish(instrumentCode: string, event: string, version: number): void {
    const { nc, prefix, config } = this.core.deps;
    if (!nc || config.inspect === false) return;
    const v = this.view(instrumentCode);
    const body = {
      kind: 'lock',
      id: instrumentCode,
      root: null,
      event,
      version,
      state: v.state,
      context: v.context,
      at: this.core.now(),
    };
    try {
      nc.publish(subject(prefix, 'inspect', 'order', 'lock', instrumentCode), JSON.stringify(body));
    } catch (err) {
      // A code that is not a subject token has no inspection subject: the lock itself stands.
      this.core.log.warn({ instrument_code: instrumentCode, err: String(err) }, 'lock not published');
    }
  }
}
