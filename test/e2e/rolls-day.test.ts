// Issue 12 §6: `systack start` (the real CLI: embedded nats-server, simulated broker, bundled
// sample data) over a simulated day that rolls every instrument unattended. The roll decisions are
// the roll tool's automatic mode (`update_roll_status`), listed by the private control config in
// run_stack_handler every two simulated hours, with the auto-suggest rule's thresholds from the
// private config: every instrument due (`days: 400`, `near_expiry_days: 400`: SOFR's roll date is
// ~200 days out), the simulated market's volume (100 a day) liquid (`min_absolute_volume: 50`), a
// held position near its roll forced (`default_roll_state_if_undecided: Force`); roll orders are
// generated every 30 minutes (the reference: once a run) and every instrument's orders use the
// market algo (`execution_algos.algo_overrides`), so no cancelled best-algo child keeps a family
// on the stack until end of day (#874) and the day holds a whole roll: positions opened in the
// priced contract, a Force calendar spread, C2 to Passive, Roll_Adjusted rolling the series.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../actors/simulation.ts';
import { lastJson, runDirectory, startDay } from './day-run.ts';

/** The priced contract of the bundled sample's last multiple-prices row. */
function samplePriced(code: string): string {
  const rows = readFileSync(`sample-data/pysystemtrade/multiple_prices_csv/${code}.csv`, 'utf8')
    .trim()
    .split('\n');
  return rows.at(-1)!.split(',')[4]!;
}

const CODES = ['GOLD', 'SOFR', 'SP500', 'US10'];

describe('systack start: a simulated day through a roll of every instrument', () => {
  it('ends with every position in the new priced contract, nothing in the old one, the series rolled, nothing on the stack', async () => {
    const { dir, priv } = runDirectory(
      'rolls',
      [
        'roll_status_auto_update:',
        '  auto_roll_if_relative_volume_higher_than: 1.0',
        '  min_relative_volume: 0.01',
        '  min_absolute_volume: 50',
        '  near_expiry_days: 400',
        '  default_roll_state_if_undecided: Force',
        '  auto_roll_expired: true',
        'execution_algos:',
        `  algo_overrides: { ${CODES.map((c) => `${c}: market`).join(', ')} }`,
      ],
      [
        'process_configuration_methods:',
        '  run_stack_handler:',
        '    generate_force_roll_orders: { frequency: 30, max_executions: -1 }',
        '    update_roll_status: { frequency: 120, max_executions: 5 }',
        'arguments:',
        '  run_stack_handler:',
        '    update_roll_status: { days: 400 }',
      ],
    );
    const day = startDay(priv, ['--speed', '1000']);
    expect(await day.exited, day.stderr()).toBe(0);
    const s = lastJson(day.stdout()) as RunSummary;
    expect(s.active_orders_on_stack).toBe(0);
    expect(s.queued_order_requests).toBe(0);
    expect(s.positions_equal_fills).toBe(true);

    // every instrument's series rolled: a new priced contract, the old series backed up as CSV
    const rolls = new Map(s.rolls.map((r) => [r.instrument_code, r]));
    expect([...rolls.keys()].sort()).toEqual(CODES);
    for (const c of CODES) expect(rolls.get(c)!.priced_contract > samplePriced(c), c).toBe(true);
    const backups = readdirSync(join(dir, 'data', 'roll-backups'));
    for (const c of CODES)
      expect(
        backups.some((b) => b.startsWith(`${c}-`)),
        c,
      ).toBe(true);

    // the strategy held positions, and each one is now in its instrument's new priced contract
    expect(s.strategy_positions.length).toBeGreaterThan(0);
    for (const p of s.contract_positions)
      expect(p.contract_date, p.instrument_code).toBe(rolls.get(p.instrument_code)!.priced_contract);
    // ... moved there by the roll: opened in the sample's priced contract, all of it rolled out
    for (const p of s.strategy_positions) {
      const old = s.fill_records.filter(
        (f) => f.instrument_code === p.instrument_code && f.contract_date === samplePriced(p.instrument_code),
      );
      expect(old.length, p.instrument_code).toBeGreaterThan(0);
      expect(
        old.reduce((n, f) => n + f.qty, 0),
        p.instrument_code,
      ).toBe(0);
      const held = s.contract_positions.filter((c) => c.instrument_code === p.instrument_code);
      expect(held.reduce((n, c) => n + c.position, 0)).toBe(p.position);
    }
    // ... and the broker agrees, contract by contract
    const rows = (ps: RunSummary['contract_positions']) =>
      ps.map((p) => `${p.instrument_code} ${p.contract_date.slice(0, 6)} ${p.position}`).sort();
    expect(rows(s.broker_positions)).toEqual(rows(s.contract_positions));
    rmSync(dir, { recursive: true, force: true });
  }, 600_000);
});
