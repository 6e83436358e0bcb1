import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFillCorrection } from '../../actors/stack/fill-corrections.ts';
import { recordBrokerFill } from '../../actors/stack/fills.ts';
import { StackHandler } from '../../actors/stack/stack-handler.ts';
import type { InstrumentOrder } from '../../actors/stack/types.ts';
import type { BrokerFill } from '../../src/broker/port.ts';
import { startTestNats, type TestNats } from '../support/nats.ts';
import { makeStack, T0 } from './helpers.ts';

let nats: TestNats;
beforeAll(async () => {
  nats = await startTestNats();
});
afterAll(async () => {
  await nats?.stop();
});

/** Split |trade| into positive chunks (a partition), signed like the trade. */
function chunks(trade: number, cuts: number[]): number[] {
  const n = Math.abs(trade);
  const points = [...new Set(cuts.map((c) => 1 + (c % Math.max(1, n - 1))).filter((c) => c < n))].sort(
    (a, b) => a - b,
  );
  const out: number[] = [];
  let last = 0;
  for (const p of [...points, n]) {
    out.push(Math.sign(trade) * (p - last));
    last = p;
  }
  return out;
}

let run = 0;
/** Corrections made across the runs (the property must have exercised them). */
let corrected = 0;

describe('position = sum of fills', () => {
  it('whatever order fills arrive in, duplicated, late (after cancel), beyond the order or corrected after completion: positions, order fills and states equal a plain oracle', async () => {
    const nc = await nats.connect();
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            trade: fc.integer({ min: -6, max: 6 }).filter((t) => t !== 0),
            strategy: fc.constantFrom('a', 'b'),
          }),
          { minLength: 1, maxLength: 4 },
        ),
        fc.array(fc.nat(20), { maxLength: 4 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 0, max: 2 }),
        // broker corrections (IB fill-corrected) of fills of families that completed
        fc.array(
          fc.record({
            pick: fc.nat(),
            dq: fc.integer({ min: -2, max: 2 }),
            dp: fc.integer({ min: -3, max: 3 }),
          }),
          { maxLength: 3 },
        ),
        async (orders, cuts, order, dupes, extra, fixes) => {
          const prefix = `prop${run++}`;
          const { handler, broker } = await makeStack(nc, prefix, { config: { algoSizeLimit: 10 } });
          for (const [i, o] of orders.entries()) {
            await handler.createInstrumentOrder({
              strategyName: o.strategy,
              instrumentCode: `I${i}`,
              trade: o.trade,
              orderType: 'best',
            });
          }
          await handler.spawnChildrenFromNewInstrumentOrders();
          await handler.createBrokerOrdersFromContractOrders(); // passive limits at the bid: nothing fills by itself
          await broker.idle();
          const bos = handler.core.orders('broker');
          expect(bos.length).toBe(orders.length);
          let fills: BrokerFill[] = bos.flatMap((b) => {
            const parts = chunks(b.trade, cuts);
            if (extra > 0 && b.id === bos[0]?.id) parts.push(Math.sign(b.trade) * extra); // an overfill
            return parts.map((qty, k) => ({
              execId: `${prefix}.${b.id}.${k}`,
              orderRef: b.orderRef,
              tempId: b.brokerTempId ?? 0,
              permId: b.brokerPermId ?? 0,
              instrumentCode: b.instrumentCode,
              contractDate: b.contractDate,
              qty,
              price: 100 + k,
              time: T0,
            }));
          });
          // Shuffle, then repeat some reports.
          fills = fills
            .map((f, i) => ({ f, k: order[i % order.length]! + i }))
            .sort((x, y) => x.k - y.k)
            .map((x) => x.f);
          const reports = [...fills, ...dupes.map((d) => fills[d % fills.length]!)];
          const cancelFirst = bos[0];
          if (cancelFirst && order[0]! % 2 === 0) await broker.cancelOrder(cancelFirst.orderRef); // later fills are late
          await broker.idle();
          await handler.settled();
          await Promise.all(reports.map((f) => recordBrokerFill(handler.core, f)));
          // Corrections after completion: each a new revision of a fill of a completed family.
          const completed = new Set(
            handler.core
              .orders('instrument', (io) => io.state === 'completed')
              .map((io) => io.instrumentCode),
          );
          const now = new Map(fills.map((f) => [f.execId, { qty: f.qty, price: f.price }]));
          const overfilled = new Set(
            bos
              .filter(
                (b) => fills.filter((f) => f.orderRef === b.orderRef).length > chunks(b.trade, cuts).length,
              )
              .map((b) => b.instrumentCode),
          );
          // (a fill beyond a completed family's trade reaches only its broker order: not corrected here)
          const fixable = fills.filter(
            (f) => completed.has(f.instrumentCode) && !overfilled.has(f.instrumentCode),
          );
          for (const [k, c] of fixes.entries()) {
            const f = fixable[c.pick % Math.max(1, fixable.length)];
            if (!f) break;
            const held = now.get(f.execId)!;
            const fixed = { qty: held.qty + c.dq, price: held.price + c.dp };
            const fix = { ...f, ...fixed, correctedBy: `${f.execId}.fix${k}` };
            expect(await recordFillCorrection(handler.core, fix)).toBe('corrected');
            expect(await recordFillCorrection(handler.core, fix)).toBe('duplicate');
            now.set(f.execId, fixed);
            corrected++;
          }
          await handler.settled();
          const expect1 = new Map<string, number>();
          for (const f of fills)
            expect1.set(f.instrumentCode, (expect1.get(f.instrumentCode) ?? 0) + now.get(f.execId)!.qty);
          // The quantity-weighted price of an instrument's (corrected) fills.
          const price = (code: string) => {
            const mine = fills.filter((f) => f.instrumentCode === code).map((f) => now.get(f.execId)!);
            const w = mine.reduce((t, x) => t + Math.abs(x.qty), 0);
            return w === 0 ? undefined : mine.reduce((t, x) => t + Math.abs(x.qty) * x.price, 0) / w;
          };
          const contract = new Map(handler.positions().contract.map((p) => [p.instrumentCode, p.position]));
          const strategy = new Map(handler.positions().strategy.map((p) => [p.instrumentCode, p.position]));
          expect(contract).toEqual(expect1);
          expect(strategy).toEqual(expect1);
          // Every order's fill is the sum of its fills, capped at its trade (the rest is overfill).
          for (const b of handler.core.orders('broker')) {
            expect(b.fill + b.overfill).toBe(expect1.get(b.instrumentCode));
            // The record shows what the broker order's machine holds.
            expect(handler.core.brokerActors.snapshot(b).context.ledger.fill).toEqual([b.fill + b.overfill]);
          }
          // A plain oracle for the family's machines: each order shows the fill capped at its trade;
          // the family completes once its broker child is filled, however the fills came.
          const oracle = (io: InstrumentOrder) => {
            const total = expect1.get(io.instrumentCode) ?? 0;
            const capped =
              Math.sign(total) === Math.sign(io.trade)
                ? Math.sign(total) * Math.min(Math.abs(total), Math.abs(io.trade))
                : 0;
            // A completed family stays completed whatever a later correction says.
            const state = completed.has(io.instrumentCode)
              ? 'completed'
              : capped === io.trade
                ? 'completed'
                : capped !== 0
                  ? 'partiallyFilled'
                  : 'childrenWorking';
            return { fill: capped, state };
          };
          const view = (h: StackHandler) =>
            h.core.orders('instrument').map((io) => ({ fill: io.fill, state: io.state }));
          const wanted = handler.core.orders('instrument').map(oracle);
          expect(view(handler)).toEqual(wanted);
          for (const co of handler.core.orders('contract')) {
            const o = oracle(handler.core.instrumentOrder(co.parent!)!);
            expect(co.fill).toBe(o.fill);
            expect(co.state === 'completed').toBe(o.state === 'completed');
          }
          // Every level's price is the weighted price of the corrected fills (a fill beyond a
          // completed family's trade stops at its broker order: only the broker order prices it).
          for (const o of handler.core.host.all()) {
            if (o.level !== 'broker' && overfilled.has(o.instrumentCode)) continue;
            const p = price(o.instrumentCode);
            if (p === undefined) expect(o.filledPrice).toBeUndefined();
            else expect(o.filledPrice).toBeCloseTo(p, 9);
          }
          await handler.settled();
          await handler.core.host.flush();
          const reopened = await StackHandler.open({ nc, broker, clock: handler.core.deps.clock, prefix });
          // Restore = snapshot + replay: the same states and fills.
          expect(view(reopened)).toEqual(wanted);
          expect(new Map(reopened.positions().contract.map((p) => [p.instrumentCode, p.position]))).toEqual(
            expect1,
          );
          expect(reopened.core.orders('broker').map((b) => b.fill)).toEqual(
            handler.core.orders('broker').map((b) => b.fill),
          );
          await reopened.close();
          await handler.close();
        },
      ),
      { numRuns: 25, seed: 7 },
    );
    expect(corrected).toBeGreaterThan(0);
  }, 60_000);
});
