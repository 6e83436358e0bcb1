import { describe, expect, it } from 'vitest';
import { type InstrumentLockEvent, instrumentLockMachine as m } from '../../machines/instrument-lock.ts';
import { start, stepAll } from '../../machines/step.ts';
import { T0 } from './support/fixtures.ts';
import { checkModel, stateNames } from './support/model.ts';

const input = { instrumentCode: 'SOFR' };
const agree: InstrumentLockEvent = {
  type: 'POSITIONS_COMPARED',
  ours: { '20261217': 3, '20270317': -1 },
  broker: { '20261217': 3, '20270317': -1 },
  at: T0,
};
const broken: InstrumentLockEvent = {
  type: 'POSITIONS_COMPARED',
  ours: { '20261217': 3 },
  broker: { '20261217': 2, '20270317': 1 },
  at: T0 + 1,
};
const run = (events: InstrumentLockEvent[]) => stepAll(m, start(m, input).snapshot, events);

describe('instrument lock (digest §2 H1, H4)', () => {
  it('locks on a position break, reporting each differing contract (a missing one counts as 0)', () => {
    const r = run([agree, broken]);
    expect(r.snapshot.value).toBe('lockedByBreak');
    expect(r.emitted).toEqual([
      {
        type: 'locked',
        instrumentCode: 'SOFR',
        cause: 'positionBreak',
        reason: 'position break: 20261217: ours 3, broker 2; 20270317: ours 0, broker 1',
        breaks: [
          { contractDate: '20261217', ours: 3, broker: 2 },
          { contractDate: '20270317', ours: 0, broker: 1 },
        ],
        at: T0 + 1,
      },
    ]);
  });

  it('logs the lock only when newly locked, and unlocks automatically when positions agree', () => {
    const r = run([broken, broken, agree]);
    expect(r.snapshot.value).toBe('unlocked');
    expect(r.emitted.map((e) => e.type)).toEqual(['locked', 'unlocked']);
    expect(r.emitted.at(-1)).toEqual({
      type: 'unlocked',
      instrumentCode: 'SOFR',
      cause: 'positionsAgree',
      at: T0,
    });
  });

  it('a manual lock does not auto-unlock; only UNLOCK ends it', () => {
    const r = run([{ type: 'LOCK', reason: 'checking fills', at: T0 }, agree, broken, agree]);
    expect(r.snapshot.value).toBe('lockedManually');
    expect(r.snapshot.context.reason).toBe('manual: checking fills');
    const u = stepAll(m, r.snapshot, [{ type: 'UNLOCK', at: T0 + 5 }]);
    expect(u.snapshot.value).toBe('unlocked');
    expect(u.emitted).toEqual([{ type: 'unlocked', instrumentCode: 'SOFR', cause: 'manual', at: T0 + 5 }]);
  });

  it('a manual unlock while a break persists is allowed, reported, and the next check locks again', () => {
    const r = run([broken, { type: 'UNLOCK', at: T0 + 2 }]);
    expect(r.snapshot.value).toBe('unlocked');
    expect(r.emitted.map((e) => e.type)).toEqual(['locked', 'unlocked', 'breakPersists']);
    expect(stepAll(m, r.snapshot, [broken]).snapshot.value).toBe('lockedByBreak');
  });
});

describe('instrument lock model', () => {
  it('reaches every state; live actor, pure step and model agree', async () => {
    const report = await checkModel(m, {
      input,
      events: [agree, broken, { type: 'LOCK', reason: 'x', at: T0 }, { type: 'UNLOCK', at: T0 }],
      serialize: (s) => [s.value, s.context.breaks.length > 0],
      invariant: (s) => {
        if (s.value === 'lockedByBreak') expect(s.context.breaks.length).toBeGreaterThan(0);
        if (s.value === 'unlocked') expect(s.context.lockedAt).toBeNull();
        else expect(s.context.lockedAt).not.toBeNull();
      },
    });
    expect(report.reached).toEqual(stateNames(m));
  });

  it('every simple path (no state visited twice) keeps the invariant too', async () => {
    const report = await checkModel(m, {
      input,
      paths: 'simple',
      events: [agree, broken, { type: 'LOCK', reason: 'x', at: T0 }, { type: 'UNLOCK', at: T0 }],
      serialize: (s) => [s.value, s.context.breaks.length > 0],
      invariant: (s) => {
        if (s.value === 'lockedByBreak') expect(s.context.breaks.length).toBeGreaterThan(0);
        if (s.value === 'unlocked') expect(s.context.lockedAt).toBeNull();
      },
    });
    expect(report.paths).toBeGreaterThanOrEqual(3);
    expect(report.reached).toEqual(stateNames(m));
  });
});
