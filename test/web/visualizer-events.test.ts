/**
 * The visualizer's reading of published events: the inspection body of hosted actors, the older
 * record-carrying body, roll-status journal events and late (older) messages.
 */
import { describe, expect, it } from 'vitest';
import { machineNames } from '../../machines/registry.ts';
import { FamilyIndex, fromInspect, fromRecord, fromRollEvent } from '../../src/web/visualizer/events.ts';

const known = machineNames();

describe('visualizer events', () => {
  it('reads the inspection body { kind, id, root, event, version, state, context, at }', () => {
    const e = fromInspect(
      {
        kind: 'broker',
        id: 7,
        root: 3,
        event: 'FILL',
        version: 4,
        state: 'filled',
        context: { parent: 5, fill: 2 },
        at: 1_700_000_000_000,
      },
      new FamilyIndex(),
      known,
    );
    expect(e).toEqual({
      kind: 'broker',
      id: '7',
      root: '3',
      event: 'FILL',
      version: 4,
      state: 'filled',
      context: { parent: 5, fill: 2 },
      at: 1_700_000_000_000,
      machine: 'broker-order',
    });
  });

  it("reads a strategy actor's inspection body (<prefix>.inspect.strategy.<name>) as the strategy machine", () => {
    const e = fromInspect(
      {
        kind: 'strategy',
        id: 'carry_trend',
        root: null,
        event: 'GENERATE_ORDERS',
        version: 4,
        state: 'generatingOrders',
        context: { strategy_name: 'carry_trend', order_runs: 1 },
        at: 1_700_000_000_000,
      },
      new FamilyIndex(),
      known,
    );
    expect(e).toMatchObject({
      kind: 'strategy',
      id: 'carry_trend',
      root: null,
      state: 'generatingOrders',
      machine: 'strategy',
    });
  });

  it('reads the older body { event, version, state: record } and finds the family root from parents', () => {
    const index = new FamilyIndex();
    const contract = fromInspect(
      { event: 'CREATED', version: 1, state: { level: 'contract', id: 5, parent: 3, state: 'working' } },
      index,
      known,
    );
    expect(contract).toMatchObject({ kind: 'contract', id: '5', root: '3', state: 'released' });
    const broker = fromInspect(
      {
        event: 'FILL',
        version: 3,
        state: { level: 'broker', id: 7, parent: 5, state: 'filled', machineState: 'filled' },
      },
      index,
      known,
    );
    expect(broker).toMatchObject({ root: '3', state: 'filled', version: 3, machine: 'broker-order' });
    const io = fromRecord({ level: 'instrument', id: 3, state: 'partially-filled' }, 'FILL', index, known);
    expect(io).toMatchObject({ root: '3', state: 'partiallyFilled', machine: 'instrument-order' });
  });

  it('maps algos and locks to their machines and ignores what is not an event', () => {
    const index = new FamilyIndex();
    const algo = { id: 1, root: null, event: 'E', version: 1, state: 'passive', at: 0 };
    expect(
      fromInspect({ ...algo, kind: 'algo', context: { algo: 'best-execution' } }, index, known)?.machine,
    ).toBe('algo-best-execution');
    expect(fromInspect({ ...algo, kind: 'algo', context: {} }, index, known)?.machine).toBe('algo-market');
    expect(fromInspect({ ...algo, kind: 'lock', context: {} }, index, known)?.machine).toBe(
      'instrument-lock',
    );
    expect(fromInspect(null, index, known)).toBeNull();
    expect(fromInspect({ kind: 'broker' }, index, known)).toBeNull();
    expect(fromInspect('text', index, known)).toBeNull();
  });

  it('reads roll-status events: changed moves to `to`, others keep the state', () => {
    const changed = fromRollEvent(
      'GOLD',
      { type: 'changed', instrumentCode: 'GOLD', from: 'No_Roll', to: 'Force', at: 5 },
      null,
    );
    expect(changed).toMatchObject({
      kind: 'roll',
      id: 'GOLD',
      state: 'Force',
      machine: 'roll-status',
      at: 5,
    });
    const warn = fromRollEvent(
      'GOLD',
      { type: 'tradeLimitWarning', instrumentCode: 'GOLD', state: 'Force' },
      'Force',
    );
    expect(warn).toMatchObject({ state: 'Force', event: 'tradeLimitWarning' });
    expect(fromRollEvent('GOLD', { type: 'priceRollRequested' }, null)).toBeNull();
  });
});
