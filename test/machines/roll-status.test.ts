import { describe, expect, it } from 'vitest';
import { type RollStatusEvent, rollStatusMachine as m } from '../../machines/roll-status.ts';
import { start, stepAll } from '../../machines/step.ts';
import { ROLL_STATES, type RollState, suggestRollState } from '../../src/domain/rolls/roll-state.ts';
import { T0 } from './support/fixtures.ts';
import { checkModel, stateNames } from './support/model.ts';

// The table of digest §3.2, transcribed on its own as the oracle: [flat in priced, holding].
const TABLE: Record<RollState, [string, string]> = {
  No_Roll: ['Roll_Adjusted Passive No_Roll No_Open', 'Passive Force Force_Outright No_Roll Close No_Open'],
  Passive: ['Roll_Adjusted Passive No_Roll No_Open', 'Force Force_Outright Passive No_Roll Close No_Open'],
  Force: ['Roll_Adjusted Passive', 'Force Force_Outright Passive No_Roll Close No_Open'],
  Force_Outright: ['Roll_Adjusted Passive', 'Force Force_Outright Passive No_Roll Close No_Open'],
  Close: ['Roll_Adjusted Passive', 'Close Force Force_Outright Passive No_Roll No_Open'],
  Roll_Adjusted: ['No_Roll', 'Roll_Adjusted'],
  No_Open: ['Roll_Adjusted Passive No_Open', 'Close Force Force_Outright Passive No_Roll'],
};

const from = (state: RollState) => start(m, { instrumentCode: 'GOLD', state });
const change = (to: RollState, pricedPosition: number, at = T0): RollStatusEvent => ({
  type: 'CHANGE',
  to,
  pricedPosition,
  at,
  by: 'test',
});

describe('roll status: the manual transitions of digest §3.2', () => {
  for (const f of ROLL_STATES) {
    for (const [column, position] of [
      [0, 0],
      [1, -3],
    ] as const) {
      it(`from ${f} with priced position ${position}: allowed exactly as the table says`, () => {
        const allowed = TABLE[f][column].split(' ');
        for (const to of ROLL_STATES) {
          const r = stepAll(m, from(f).snapshot, [change(to, position)]);
          if (allowed.includes(to)) {
            expect(r.snapshot.value, `${f} → ${to}`).toBe(to);
            expect(r.emitted.filter((e) => e.type === 'refused')).toEqual([]);
            if (to !== f)
              expect(r.emitted).toContainEqual({
                type: 'changed',
                instrumentCode: 'GOLD',
                from: f,
                to,
                at: T0,
                by: 'test',
              });
          } else {
            expect(r.snapshot.value, `${f} → ${to} refused`).toBe(f);
            const refused = r.emitted.find((e) => e.type === 'refused');
            expect(refused).toMatchObject({ type: 'refused', from: f, to, at: T0 });
            expect(refused && 'reason' in refused ? refused.reason : '').toMatch(
              /not allowed|needs a zero position/,
            );
          }
        }
      });
    }
  }

  it('Roll_Adjusted only with a zero priced position, and the refusal says why', () => {
    const r = stepAll(m, from('Passive').snapshot, [change('Roll_Adjusted', 2)]);
    expect(r.snapshot.value).toBe('Passive');
    expect(r.emitted).toEqual([
      {
        type: 'refused',
        instrumentCode: 'GOLD',
        from: 'Passive',
        to: 'Roll_Adjusted',
        reason: 'Roll_Adjusted needs a zero position in the priced contract (now 2): roll or close it first',
        at: T0,
      },
    ]);
  });

  it('an unknown position refuses every change', () => {
    const r = stepAll(m, from('No_Roll').snapshot, [change('Passive', Number.NaN)]);
    expect(r.snapshot.value).toBe('No_Roll');
    expect(r.emitted[0]).toMatchObject({
      type: 'refused',
      reason: 'the priced-contract position NaN is not known',
    });
  });
});

describe('roll status: side effects (digest §3.3)', () => {
  it('No_Open adds a reduce-only override on entry and removes it on exit', () => {
    const r = stepAll(m, from('No_Roll').snapshot, [change('No_Open', 5), change('Force', 5, T0 + 1)]);
    expect(r.emitted.map((e) => e.type)).toEqual([
      'changed',
      'reduceOnlyOverrideAdded',
      'reduceOnlyOverrideRemoved',
      'changed',
      'tradeLimitWarning',
    ]);
    expect(r.snapshot.value).toBe('Force');
  });

  it('Roll_Adjusted asks for the price roll: done → No_Roll; failed → back to the state before', () => {
    const asked = stepAll(m, from('Passive').snapshot, [change('Roll_Adjusted', 0)]);
    expect(asked.snapshot.value).toBe('Roll_Adjusted');
    expect(asked.emitted.map((e) => e.type)).toEqual(['changed', 'priceRollRequested']);
    expect(asked.snapshot.context.previous).toBe('Passive');
    const done = stepAll(m, asked.snapshot, [{ type: 'PRICE_ROLL_DONE', at: T0 + 5 }]);
    expect(done.snapshot.value).toBe('No_Roll');
    expect(done.snapshot.context.previous).toBeNull();
    const failed = stepAll(m, asked.snapshot, [
      { type: 'PRICE_ROLL_FAILED', reason: 'declined', at: T0 + 5 },
    ]);
    expect(failed.snapshot.value).toBe('Passive');
    expect(failed.emitted).toEqual([
      {
        type: 'changed',
        instrumentCode: 'GOLD',
        from: 'Roll_Adjusted',
        to: 'Passive',
        at: T0 + 5,
        by: 'auto',
      },
    ]);
  });

  it('Force, Force_Outright and Close downgrade to Passive once the priced position is zero (C2)', () => {
    for (const s of ['Force', 'Force_Outright', 'Close'] as const) {
      const held = stepAll(m, from(s).snapshot, [{ type: 'POSITION_CHECKED', pricedPosition: 4, at: T0 }]);
      expect(held.snapshot.value).toBe(s);
      const flat = stepAll(m, held.snapshot, [{ type: 'POSITION_CHECKED', pricedPosition: 0, at: T0 + 1 }]);
      expect(flat.snapshot.value).toBe('Passive');
      expect(flat.emitted[0]).toMatchObject({ type: 'changed', from: s, to: 'Passive', by: 'auto' });
    }
    const passive = stepAll(m, from('No_Open').snapshot, [
      { type: 'POSITION_CHECKED', pricedPosition: 0, at: T0 },
    ]);
    expect(passive.snapshot.value).toBe('No_Open');
  });
});

describe('roll status: the auto-suggest rule (digest §3.4)', () => {
  const base = {
    pricedPosition: 3,
    daysUntilRoll: 30,
    daysUntilPriceExpiry: 40,
    relativeVolume: 0.5,
    forwardVolume: 500,
  };
  it('decides as the reference does', () => {
    expect(suggestRollState({ ...base, pricedPosition: 0, daysUntilPriceExpiry: 0, relativeVolume: 0 })).toBe(
      'Roll_Adjusted',
    );
    expect(suggestRollState({ ...base, pricedPosition: 0 })).toBe('Roll_Adjusted');
    expect(suggestRollState(base)).toBe('Passive');
    expect(suggestRollState({ ...base, daysUntilRoll: 5 })).toBe('Ask');
    expect(suggestRollState({ ...base, forwardVolume: 50 })).toBe('No_Roll');
    expect(suggestRollState({ ...base, forwardVolume: 50, daysUntilRoll: 9 })).toBe('No_Open');
    expect(suggestRollState({ ...base, relativeVolume: 1.5, forwardVolume: 0 })).toBe('Passive');
    expect(suggestRollState({ ...base, relativeVolume: Number.NaN })).toBe('No_Roll');
  });
});

describe('roll status model', () => {
  it('reaches every state; live actor, pure step and model agree', async () => {
    const events: RollStatusEvent[] = [
      ...ROLL_STATES.flatMap((to) => [change(to, 0), change(to, 2)]),
      { type: 'POSITION_CHECKED', pricedPosition: 0, at: T0 },
      { type: 'PRICE_ROLL_DONE', at: T0 },
      { type: 'PRICE_ROLL_FAILED', reason: 'x', at: T0 },
    ];
    const report = await checkModel(m, {
      input: { instrumentCode: 'GOLD' },
      events,
      serialize: (s) => [s.value, s.context.previous],
      invariant: (s) => {
        if (s.value === 'Roll_Adjusted') expect(s.context.previous).not.toBeNull();
        else expect(s.context.previous).toBeNull();
      },
    });
    expect(report.reached.sort()).toEqual(
      stateNames(m)
        .filter((n) => n !== 'start')
        .sort(),
    );
  });
});
