/**
 * `systack start` for one trading day with `broker: ib` against the fake TWS (which speaks the
 * wire protocol of the pinned @stoqey/ib): prices, FX, sampled contracts and capital come from
 * the fake; the strategy's orders go to it; its executions and (late) commission reports come
 * back up to positions; the fake drops every socket after the first execution and the stack
 * handler rides through; end of day runs and our positions equal the fills and the broker's.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../actors/simulation.ts';
import { expectPositionsReconciled, lastJson, runDirectory, startDay } from './day-run.ts';
import { COMMISSION, fakeMarket, IB, SPEED, START } from './ib-day-market.ts';

let running: ChildProcess | undefined;
afterEach(() => {
  // A run the test gave up on (timeout) is stopped, not left trading.
  running?.kill('SIGINT');
  running = undefined;
});

describe('systack start with broker: ib against the fake TWS', () => {
  it('trades a day over the TWS wire: positions equal fills and the broker, commissions on every fill, a socket drop ridden through', async () => {
    const tws = fakeMarket();
    const port = await tws.start();
    const { dir, priv } = runDirectory(
      'ib-day',
      ['broker: ib', 'broker_account: DU123456', 'ib_ipaddress: 127.0.0.1', `ib_port: ${port}`],
      // The day compressed further: the stack handler trades the evening's orders the same evening.
      [
        'process_configuration_start_time:',
        "  run_stack_handler: '12:29'",
        'process_configuration_stop_time:',
        "  run_stack_handler: '23:55'",
        // Not part of the trading day under test: kept off this host to spare the CPU.
        'process_configuration_host:',
        '  run_backups: elsewhere',
        '  run_cleaners: elsewhere',
        '  run_reports: elsewhere',
      ],
    );
    // The fake drops every connection once, after the first execution.
    let dropped = false;
    const dropper = setInterval(() => {
      if (!dropped && tws.executions.length > 0) {
        dropped = true;
        tws.dropConnections();
      }
    }, 5);
    const day = startDay(priv, ['--speed', String(SPEED), '--start', new Date(START).toISOString()], {
      TZ: 'UTC',
    });
    running = day.child;
    const code = await day.exited;
    running = undefined;
    clearInterval(dropper);
    await tws.stop();
    expect(code, `${day.stderr()}\n(run directory kept: ${dir})`).toBe(0);
    const summary = lastJson(day.stdout()) as RunSummary;

    // Prices came from the fake (a full update of every instrument) with no pacing violation.
    expect(tws.historicalRequests).toBeGreaterThan(Object.keys(IB).length * 2);
    expect(tws.pacingViolationsSent).toBe(0);
    // The strategy traded through the fake TWS, and each order reached it exactly once.
    expect(tws.executions.length).toBeGreaterThan(0);
    expect([...tws.placedRefs.values()].every((n) => n === 1)).toBe(true);
    // The socket drop happened and the stack handler's client connected again.
    expect(dropped).toBe(true);
    expect(Math.max(...tws.apiStarts.values())).toBeGreaterThan(1);

    // Every execution is one fill record, with its price and its late commission.
    const fake = tws.executions
      .map((e) => ({
        instrument_code: Object.keys(IB).find((i) => IB[i]?.symbol === e.contract.symbol),
        contract_date: `${e.contract.expiry.slice(0, 6)}00`,
        qty: e.side === 'BUY' ? e.shares : -e.shares,
        price: e.price,
        commission: COMMISSION * e.shares,
      }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    const ours = [...summary.fill_records].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    expect(ours).toEqual(fake);
    expect(summary.fills).toBe(tws.executions.length);

    // Positions: ours (sum of fills) = the broker's = the fake's own book; end of day left nothing.
    expectPositionsReconciled(summary);
    for (const k of tws.contracts) {
      const p = tws.positionOf(k.conId);
      if (p === 0) continue;
      const row = summary.broker_positions.find(
        (b) => IB[b.instrument_code]?.symbol === k.symbol && b.contract_date.startsWith(k.expiry.slice(0, 6)),
      );
      expect(row?.position).toBe(p);
    }
    expect(summary.active_orders_on_stack).toBe(0);
    expect(summary.queued_order_requests).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});
