/**
 * Answers the monitor's data requests (`<prefix>.monitor.prices|orders|positions`, see
 * `src/web/monitor/data-source.ts`) from the durable stores, so the page shows prices and
 * positions whether or not the process that owns them is running: price staleness from the price
 * store, positions rebuilt from the fills stream, live orders from the stack handler's services
 * while it runs.
 */
import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { callService, endpoint, startService } from '../src/bus/service.ts';
import { subject } from '../src/bus/subjects.ts';
import type { Clock } from '../src/clock.ts';
import { lastAdjustedPriceTimes } from '../src/store/price-store.ts';
import { readPositions } from './stack/read-model.ts';
import type { AnyOrder } from './stack/types.ts';
import { openPriceStore } from '../src/store/backend.ts';

const empty = z.object({}).passthrough();
const CACHE_MS = 5_000;

/** Memoise an async read for a few seconds (the page polls every 2 s). */
function cached<T>(read: () => Promise<T>): () => Promise<T> {
  let at = 0;
  let value: Promise<T> | undefined;
  return () => {
    if (!value || Date.now() - at > CACHE_MS) {
      at = Date.now();
      value = read().catch((err: unknown) => {
        value = undefined;
        throw err;
      });
    }
    return value;
  };
}

export async function startMonitorResponders(
  nc: NatsConnection,
  prefix: string,
  clock: Clock,
): Promise<Service> {
  const prices = await openPriceStore(nc, prefix);
  const priceRows = cached(async () =>
    (await lastAdjustedPriceTimes(prices)).map(({ instrumentCode, lastPriceTime: last }) => ({
      instrument_code: instrumentCode,
      last_price_time: last !== undefined ? new Date(last).toISOString() : null,
      age_minutes: last !== undefined ? Math.round((clock.now() - last) / 60_000) : null,
    })),
  );
  const positionRows = cached(async () => {
    const p = await readPositions(nc, prefix);
    return [
      ...p.strategy.map((r) => ({
        strategy_name: r.strategyName,
        instrument_code: r.instrumentCode,
        position: r.position,
      })),
      ...p.contract.map((r) => ({
        instrument_code: r.instrumentCode,
        contract_date: r.contractDate,
        position: r.position,
      })),
    ].filter((r) => r.position !== 0);
  });
  const orderRows = async () => {
    const rows = [];
    for (const level of ['instrument', 'contract', 'broker'] as const) {
      const orders = await callService<AnyOrder[]>(
        nc,
        subject(prefix, 'orders', 'view', level),
        { active_only: true },
        1000,
      );
      for (const o of orders) {
        rows.push({
          id: o.id,
          level,
          instrument_code: o.instrumentCode,
          strategy_name: o.strategyName,
          quantity: o.trade,
          filled: o.fill,
          status: o.state,
        });
      }
    }
    return rows;
  };
  return startService(nc, {
    name: 'systack-monitor-data',
    version: '1.0.0',
    description: 'Data for the monitor page: prices, live orders, positions',
    endpoints: [
      endpoint({
        name: 'prices',
        subject: subject(prefix, 'monitor', 'prices'),
        description: 'price staleness',
        schema: empty,
        handler: priceRows,
      }),
      endpoint({
        name: 'orders',
        subject: subject(prefix, 'monitor', 'orders'),
        description: 'live orders (while the stack handler runs)',
        schema: empty,
        handler: orderRows,
      }),
      endpoint({
        name: 'positions',
        subject: subject(prefix, 'monitor', 'positions'),
        description: 'positions from fills',
        schema: empty,
        handler: positionRows,
      }),
    ],
  });
}
