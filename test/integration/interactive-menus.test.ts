/**
 * The interactive menus (issue 14 §6) driven through a pseudo-terminal: util-linux `script`
 * gives the menu a real tty (no native module to build), keystrokes go in through its stdin.
 * interactive_controls against a real nats-server with the process-control service: view
 * processes, change a status (the stored status changes), exit; then Trade limits > Change limit
 * (the trade-limits bucket changes, through the same operations as `systack control trade-limits`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlService } from '../../actors/supervisor/control-service.ts';
import { ProcessStore } from '../../actors/supervisor/process-store.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { resolveControlConfig } from '../../src/domain/process-control/config.ts';
import { SHIPPED_CONTROL_CONFIG } from '../../src/domain/process-control/shipped.ts';
import { JetStreamPriceStore } from '../../src/store/jetstream/price-store.ts';
import { TradeLimitsStore } from '../../src/store/trade-limits-store.ts';
import { JetStreamCapitalStore } from '../../src/store/capital-store.ts';
import { JetStreamControlsStore } from '../../src/store/controls-store.ts';
import { proposeAutoPositionLimits } from '../../actors/position-limits-service.ts';
import { loadConfig } from '../../src/config/load.ts';
import { testLogger } from '../supervisor/helpers.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { DOWN, ENTER, openMenu } from '../support/terminal.ts';

const PREFIX = 'systack'; // the configured subject_prefix the CLI uses

/** A private directory whose configuration points the CLI at the test's nats-server. */
function menuDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'systack-menu-'));
  writeFileSync(join(dir, 'private_config.yaml'), `nats_url: ${nats.url}\n`);
  return dir;
}
let nats: TestNats;
let store: ProcessStore;
let service: Service;
let limits: TradeLimitsStore;
let controls: JetStreamControlsStore;
let controlsNc: NatsConnection;
const SOFR_META = {
  description: 'SOFR',
  pointsize: 2500,
  currency: 'USD',
  assetClass: 'STIR',
  perBlock: 0,
  percentage: 0,
  perTrade: 0,
  region: 'US',
};

beforeAll(async () => {
  nats = await startTestNats();
  const nc = await nats.connect('menus');
  store = await ProcessStore.open(nc, PREFIX);
  // SOFR is a known instrument (trade limits are only set for known names), with prices and a
  // total capital for autopopulated position limits.
  const prices = await JetStreamPriceStore.open(nc, PREFIX);
  await prices.putInstrumentConfig({ instrumentCode: 'SOFR', meta: SOFR_META });
  const n = 60;
  const times = Float64Array.from({ length: n }, (_, k) => Date.UTC(2026, 8, 1) + k * 86_400_000);
  await prices.putAdjustedPrices('SOFR', {
    times,
    values: Float64Array.from(times, (_, k) => 95 + (k % 3) * 0.02),
  });
  await (
    await JetStreamCapitalStore.open(nc, PREFIX)
  ).appendTotal({
    timestamp: Date.UTC(2026, 10, 20),
    kind: 'initialise',
    broker_account_value: 250_000,
    total_capital: 250_000,
    max_capital: 250_000,
    accumulated_pnl: 0,
  });
  controls = await JetStreamControlsStore.open(nc, PREFIX);
  controlsNc = nc;
  limits = await TradeLimitsStore.open(nc, PREFIX);
  service = await startControlService({
    nc,
    prefix: PREFIX,
    store,
    control: resolveControlConfig(SHIPPED_CONTROL_CONFIG),
    clock: new SimulatedClock(Date.UTC(2026, 10, 20, 12)),
    host: 'h1',
    log: testLogger().log,
  });
}, 60_000);
afterAll(async () => {
  await service?.stop();
  await nats?.stop();
});

describe('interactive menus through a pseudo-terminal', () => {
  it('interactive_controls: view processes, change a status, exit', async () => {
    const term = openMenu('interactive_controls', menuDir());
    try {
      let at = await term.see('interactive_controls');
      at = await term.see('5: Process control & monitoring', at);
      term.keys(DOWN, DOWN, DOWN, DOWN, ENTER);
      at = await term.see('1: View processes', at);
      term.keys(ENTER);
      at = await term.see('$ systack control processes', at);
      at = await term.see('run_strategy_order_generator', at);
      at = await term.see('2: Change status of process', at);
      term.keys(DOWN, ENTER);
      at = await term.see('process name', at);
      term.keys('run_systems', ENTER);
      at = await term.see('new status', at);
      term.keys(DOWN, DOWN, DOWN, ENTER); // GO, STOP, NO-RUN, PAUSE
      at = await term.see('$ systack control status run_systems PAUSE', at);
      await expect.poll(() => store.getStatus('run_systems'), { timeout: 30_000 }).toBe('PAUSE');
      at = await term.see('0: Back', at);
      term.keys(DOWN, DOWN, DOWN, DOWN, DOWN, DOWN, ENTER); // past the six entries: Back
      // Trade limits > Change limit: 5 trades a day for SOFR, any strategy.
      at = await term.see('1: Trade limits', at);
      term.keys(ENTER);
      at = await term.see('2: Change limit', at);
      term.keys(DOWN, ENTER);
      at = await term.see('trade limit (contracts)', at);
      term.keys('5', ENTER);
      at = await term.see('instrument code', at);
      term.keys('SOFR', ENTER);
      at = await term.see("'-' for none", at);
      term.keys('-', ENTER);
      at = await term.see('period in days', at);
      term.keys('1', ENTER);
      at = await term.see('$ systack control trade-limits set 5 --instrument SOFR --days 1', at);
      await expect
        .poll(async () => (await limits.list()).map((l) => [l.instrumentCode, l.periodDays, l.tradeLimit]), {
          timeout: 30_000,
        })
        .toEqual([['SOFR', 1, 5]]);
      expect(await term.exitMenu(at)).toBe(0);
    } finally {
      term.child.kill();
    }
  }, 180_000);

  it('interactive_controls: Position limits > Autopopulate limits shows the limits, writes them once confirmed', async () => {
    const term = openMenu('interactive_controls', menuDir());
    try {
      let at = await term.see('2: Position limits');
      term.keys(DOWN, ENTER);
      at = await term.see('3: Autopopulate limits', at);
      term.keys(DOWN, DOWN, ENTER);
      at = await term.see('notional risk target', at);
      term.keys('0.25', ENTER);
      at = await term.see('approximate IDM', at);
      term.keys('2.5', ENTER);
      at = await term.see('notional instrument weight', at);
      term.keys('0.1', ENTER);
      at = await term.see(
        '$ systack control limits auto-populate --risk-target 0.25 --idm 2.5 --instrument-weight 0.1',
        at,
      );
      at = await term.see('Write these position limits?', at);
      expect(await controls.positionLimits()).toEqual({}); // nothing written before the answer
      term.keys('y', ENTER);
      at = await term.see('1 instrument position limits written', at);
      const { rows } = await proposeAutoPositionLimits(
        { nc: controlsNc, prefix: PREFIX, system: loadConfig().system, clock: new SimulatedClock(0) },
        controls,
        { riskTarget: 0.25, idm: 2.5, instrumentWeight: 0.1, maxForecastRatio: 2 },
      );
      const sofr = rows.find((r) => r.instrument_code === 'SOFR')!.proposed_limit!;
      expect(sofr).toBeGreaterThan(0);
      expect(await controls.positionLimits()).toEqual({ instrument: { SOFR: sofr } });
      expect(await term.exitMenu(at)).toBe(0);
    } finally {
      term.child.kill();
    }
  }, 180_000);
});
