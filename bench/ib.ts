/**
 * IB adapter benchmark against the fake TWS (test/fixtures/fake-tws), over a real TCP socket:
 * - reconnect_ms: a socket drop until the adapter is connected and synchronised again, with the
 *   production backoff (first retry after 500 ms) and with none;
 * - orders_per_sec: market orders placed until TWS has acknowledged them all, with @stoqey/ib's
 *   default request limit (40/s, IB allows 50 messages/s) and with the limit raised;
 * - reconcile_ms: the synchronise step (open orders, executions, positions, reconcile) with N
 *   open orders at TWS.
 *
 *   npx tsx bench/ib.ts --orders 200 --open 1000 --json
 *
 * Prints JSON. Nothing is asserted.
 */
import { parseArgs } from 'node:util';
import { synchronise } from '../src/broker/ib/sync.ts';
import { brokerFor, fakeWithContracts } from '../test/broker/ib-harness.ts';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '200' },
    open: { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false },
  },
});
const N_ORDERS = Number(values.orders);
const N_OPEN = Number(values.open);

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 1));
}

const leg = { instrumentCode: 'SP500', contractDate: '202612' };

async function reconnectMs(backoffBaseMs: number): Promise<number> {
  const tws = fakeWithContracts({ fillMode: 'manual' });
  const port = await tws.start();
  const b = brokerFor(port, { backoffBaseMs });
  await b.connect();
  const t0 = performance.now();
  tws.dropConnections();
  await until(() => !b.isConnected());
  await until(() => b.isConnected());
  const ms = performance.now() - t0;
  await b.disconnect();
  await tws.stop();
  return ms;
}

async function ordersPerSec(maxReqPerSec: number | undefined): Promise<number> {
  const tws = fakeWithContracts({ fillMode: 'manual' });
  const port = await tws.start();
  const b = brokerFor(port, maxReqPerSec === undefined ? { maxReqPerSec: 40 } : { maxReqPerSec });
  await b.connect();
  await b.contractDetails(leg);
  const t0 = performance.now();
  for (let i = 0; i < N_ORDERS; i++)
    await b.placeOrder({ orderRef: `p${i}`, legs: [{ ...leg, qty: 1 }], orderType: 'market' });
  await until(() => b.book.all().every((o) => o.status === 'acknowledged'));
  const rate = N_ORDERS / ((performance.now() - t0) / 1000);
  await b.disconnect();
  await tws.stop();
  return rate;
}

async function reconcileMs(): Promise<{ ms: number; orders: number }> {
  const tws = fakeWithContracts({ fillMode: 'manual' });
  const port = await tws.start();
  const b = brokerFor(port, { maxReqPerSec: 10_000 });
  await b.connect();
  await b.contractDetails(leg);
  for (let i = 0; i < N_OPEN; i++)
    await b.placeOrder({ orderRef: `o${i}`, legs: [{ ...leg, qty: 1 }], orderType: 'limit', limitPrice: 1 });
  await until(() => tws.orders.length === N_OPEN);
  // A restarted process: nothing known locally, everything learned from TWS.
  const fresh = brokerFor(port, { clientId: 55, maxReqPerSec: 10_000 });
  await fresh.connect();
  const t0 = performance.now();
  await synchronise(fresh);
  const ms = performance.now() - t0;
  const orders = fresh.book.all().length;
  await fresh.disconnect();
  await b.disconnect();
  await tws.stop();
  return { ms, orders };
}

const round = (x: number): number => Math.round(x * 10) / 10;
const reconcile = await reconcileMs();
const result = {
  reconnect_ms: {
    production_backoff: round(await reconnectMs(500)),
    no_backoff: round(await reconnectMs(0)),
  },
  orders_per_sec: {
    stoqey_default_limit_40: round(await ordersPerSec(undefined)),
    limit_raised: round(await ordersPerSec(10_000)),
    orders: N_ORDERS,
  },
  reconcile_ms: round(reconcile.ms),
  reconciled_open_orders: reconcile.orders,
};
console.log(values.json ? JSON.stringify(result) : JSON.stringify(result, null, 2));
