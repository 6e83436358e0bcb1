/**
 * interactive_order_stack "Create force roll contract orders" and "Cash FX trade" end to end: the
 * run_stack_handler process methods serve `systack-orders-manual` (a real nats-server), and
 * `systack orders force-roll | fx-balances | fx-trade` drive it. Force roll: refused for an
 * unknown instrument and while the roll state makes none; in Force, one zero instrument order
 * with a calendar spread [priced −P, forward +P]; not twice. FX: the simulated broker's balances
 * move by the trade at its rate; every bad input is refused and changes nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeRollState } from '../../actors/rolls/roll-status-host.ts';
import type { InstrumentOrder } from '../../actors/stack/types.ts';
import { MemorySimBrokerStore } from '../../src/broker/sim/state.ts';
import { callService } from '../../src/bus/service.ts';
import { SimulatedClock } from '../../src/clock.ts';
import { ROLL_PSEUDO_STRATEGY } from '../../src/domain/rolls/roll-orders.ts';
import { runSystack } from '../support/cli.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { stackMethodsHarness } from '../support/stack-methods.ts';
import { DOWN, ENTER, Terminal, UP } from '../support/terminal.ts';
import { FORWARD, PRICED, seedGold, T0 } from './roll-fixture.ts';

const PREFIX = 'systack';
let nats: TestNats;
let nc: NatsConnection;
const clock = new SimulatedClock(T0);
const RATES: Record<string, number> = { GBPUSD: 1.25, EURUSD: 1.1 };
let stack: ReturnType<typeof stackMethodsHarness>;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await nats.connect();
  stack = stackMethodsHarness(nc, PREFIX, {
    clock,
    price: 2000,
    broker: { store: new MemorySimBrokerStore(), fx: { fxRate: (code) => RATES[code] } },
  });
  await seedGold(nc, PREFIX);
  await stack.methods.check_external_position_break!(stack.ctx('check_external_position_break'));
}, 60_000);
afterAll(async () => {
  await stack?.methods.safe_stack_removal!(stack.ctx('safe_stack_removal')).catch(() => undefined);
  await nats?.stop();
});

const systack = (...args: string[]) => runSystack(['orders', ...args, '--nats-url', nats.url]);

const loop = () => stack.pass({ breakCheck: false });

const instrumentOrders = () => callService<InstrumentOrder[]>(nc, `${PREFIX}.orders.view.instrument`, {});

describe('orders force-roll', () => {
  it('refuses unknown instruments and states that make no roll orders; in Force makes one spread, once', async () => {
    await callService(nc, `${PREFIX}.orders.instrument.create`, {
      strategy_name: 'example',
      instrument_code: 'GOLD',
      trade: 3,
      order_type: 'market',
    });
    await loop();
    const before = (await instrumentOrders()).length;
    const unknown = await systack('force-roll', 'NOPE');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("unknown instrument 'NOPE' (no instrument config) (code 400)");
    const badName = await systack('force-roll', 'GO LD');
    expect(badName.code).toBe(2);
    const noRoll = await systack('force-roll', 'GOLD');
    expect(noRoll.code).toBe(1);
    expect(noRoll.stderr).toContain(
      'no roll orders for GOLD: roll state No_Roll makes no roll orders (code 409)',
    );
    expect((await instrumentOrders()).length).toBe(before);

    await changeRollState({ nc, prefix: PREFIX, clock }, 'GOLD', 'Force');
    const made = await systack('force-roll', 'GOLD', '--json');
    expect(made.code).toBe(0);
    const r = JSON.parse(made.stdout) as { instrument_order_id: number };
    expect(r).toEqual({
      instrument_code: 'GOLD',
      roll_state: 'Force',
      instrument_order_id: r.instrument_order_id,
      strategy_name: ROLL_PSEUDO_STRATEGY,
      contract_orders: [{ contract_dates: [PRICED, FORWARD], trades: [-3, 3] }],
    });
    const io = (await instrumentOrders()).find((o) => o.id === r.instrument_order_id);
    expect(io).toMatchObject({
      trade: 0,
      rollOrder: true,
      orderType: 'Zero-roll-order',
      children: [expect.any(Number)],
    });
    const again = await systack('force-roll', 'GOLD');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      'no roll orders for GOLD: a roll order is already on the instrument stack (code 409)',
    );
    expect((await instrumentOrders()).length).toBe(before + 1);
  }, 180_000);
});

describe('orders fx-trade', () => {
  const balances = async () =>
    Object.fromEntries(
      (
        JSON.parse((await systack('fx-balances', '--json')).stdout) as Array<{
          currency: string;
          balance: number;
        }>
      ).map((b) => [b.currency, b.balance]),
    );

  it('moves the cash balances by the trade at the market rate; bad input changes nothing', async () => {
    const start = await balances();
    expect(Object.keys(start)).toEqual(['USD']);
    const usd = start.USD!;
    const bought = await systack('fx-trade', 'GBPUSD', 'buy', '10000', '--json');
    expect(bought.code).toBe(0);
    expect(JSON.parse(bought.stdout)).toMatchObject({ pair: 'GBPUSD', side: 'buy', amount: 10000 });
    const sold = await systack('fx-trade', 'EURGBP', 'sell', '1000'); // EUR at 1.1 / 1.25 = 0.88 GBP
    expect(sold.code).toBe(0);
    expect(sold.stdout).toContain('cash balances now');
    const after = await balances();
    expect(after.GBP).toBeCloseTo(10_000 + 880, 9);
    expect(after.EUR).toBeCloseTo(-1000, 9);
    expect(after.USD).toBeCloseTo(usd - 12_500, 9);

    const bad: Array<[string[], number, string]> = [
      [['GBPUSD', 'buy', '0'], 2, 'amount: amount must be positive'],
      [['GBPUSD', 'buy', '1.5'], 2, 'amount: amount must be a whole number of units'],
      [['GBPUSD', 'buy', 'lots'], 2, 'amount: '],
      [['GBPUSD', 'hold', '10'], 2, 'side: '],
      [['GBPGBP', 'buy', '10'], 2, 'pair: a currency pair names two different currencies'],
      [['gbpusd', 'buy', '10'], 2, 'pair: a currency pair is six capital letters, e.g. GBPUSD'],
      [['GBPJPY', 'buy', '10'], 1, 'sim broker: no FX rate for GBPJPY (no GBPUSD or JPYUSD) (code 422)'],
    ];
    for (const [args, code, message] of bad) {
      const r = await systack('fx-trade', ...args);
      expect([args, r.code]).toEqual([args, code]);
      expect(r.stderr).toContain(message);
    }
    expect(await balances()).toEqual(after);
  }, 180_000);

  it('interactive_order_stack: Create orders > Cash FX trade through a pseudo-terminal', async () => {
    const before = await balances();
    const dir = mkdtempSync(join(tmpdir(), 'systack-menu-'));
    writeFileSync(join(dir, 'private_config.yaml'), `nats_url: ${nats.url}\n`);
    const term = new Terminal(
      spawn('script', ['-qfec', join(process.cwd(), 'scripts', 'interactive_order_stack'), '/dev/null'], {
        cwd: dir,
        env: { ...process.env, SYSTACK_PRIVATE_DIR: dir, TERM: 'xterm', COLUMNS: '200', LINES: '50' },
      }),
    );
    try {
      let at = await term.see('2: Create orders');
      term.keys(DOWN, ENTER);
      at = await term.see('7: Cash FX trade', at);
      term.keys(DOWN, DOWN, DOWN, DOWN, DOWN, DOWN, ENTER);
      at = await term.see('currency pair in market convention', at);
      term.keys('GBPUSD', ENTER);
      at = await term.see('buy or sell the first currency', at);
      term.keys(DOWN, ENTER); // buy, sell
      at = await term.see('amount of the first currency', at);
      term.keys('500', ENTER);
      at = await term.see('$ systack orders fx-trade GBPUSD sell 500', at);
      at = await term.see('cash balances now', at);
      await term.see('0: Back', at);
      term.keys(UP, ENTER); // the last entry: Exit
      expect(await term.exited).toBe(0);
    } finally {
      term.child.kill();
    }
    const after = await balances();
    expect(after.GBP).toBeCloseTo(before.GBP! - 500, 9);
    expect(after.USD).toBeCloseTo(before.USD! + 500 * 1.25, 9);
  }, 180_000);
});
