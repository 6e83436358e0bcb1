/**
 * run_backups' backup_db_to_csv (production doc "Mongo / csv data", "Backup Arctic data to .csv
 * files"): every price series in pysystemtrade's own CSV layout (so `systack prices import` reads
 * it back), and capital, optimal and actual positions, fills and historic orders as plain CSV.
 * What the reference says is not covered by its CSV backup (roll status, trade limits, position
 * limits, overrides, process control, logs) is in the JetStream snapshot beside it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  writeAdjustedPricesCsv,
  writeFxPricesCsv,
  writeMultiplePricesCsv,
  writeRollCalendarCsv,
} from '../../src/store/csv/price-files.ts';
import { PRIVATE_DIR, PRIVATE_FILE } from '../../src/store/jetstream/snapshot.ts';
import { openOrderJournal } from '../store/open-order-journal.ts';
import { readPositions } from '../stack/read-model.ts';
import { openCapitalStore, openPriceStore, openStrategyStore } from '../../src/store/backend.ts';

/** Rows of objects as CSV: columns are the union of the rows' keys, nested values as JSON. */
export function objectsToCsv(rows: ReadonlyArray<object>): string {
  const columns: string[] = [];
  const records = rows as ReadonlyArray<Record<string, unknown>>;
  for (const r of records) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const cell = (v: unknown) =>
    v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return stringify(
    records.map((r) => columns.map((c) => cell(r[c]))),
    { header: true, columns },
  );
}

async function put(dir: string, file: string, text: string): Promise<void> {
  await mkdir(dir, PRIVATE_DIR);
  await writeFile(join(dir, file), text, PRIVATE_FILE);
}

export interface CsvBackupCounts {
  adjusted: number;
  multiple: number;
  fx: number;
  roll_calendars: number;
  capital_rows: number;
  optimal_positions: number;
  contract_positions: number;
  strategy_positions: number;
  fills: number;
  historic_orders: number;
}

export async function backupToCsv(
  nc: NatsConnection,
  prefix: string,
  dir: string,
  strategies: readonly string[],
): Promise<CsvBackupCounts> {
  const prices = await openPriceStore(nc, prefix);
  const counts: CsvBackupCounts = {
    adjusted: 0,
    multiple: 0,
    fx: 0,
    roll_calendars: 0,
    capital_rows: 0,
    optimal_positions: 0,
    contract_positions: 0,
    strategy_positions: 0,
    fills: 0,
    historic_orders: 0,
  };
  for (const code of await prices.listAdjustedPrices()) {
    const s = await prices.getAdjustedPrices(code);
    if (s) await put(join(dir, 'adjusted_prices_csv'), `${code}.csv`, writeAdjustedPricesCsv(s));
    counts.adjusted++;
  }
  for (const code of await prices.listMultiplePrices()) {
    const m = await prices.getMultiplePrices(code);
    if (m) await put(join(dir, 'multiple_prices_csv'), `${code}.csv`, writeMultiplePricesCsv(m));
    counts.multiple++;
    const calendar = await prices.getRollCalendar(code);
    if (calendar) {
      await put(join(dir, 'roll_calendars_csv'), `${code}.csv`, writeRollCalendarCsv(calendar));
      counts.roll_calendars++;
    }
  }
  for (const code of await prices.listFxPrices()) {
    const s = await prices.getFxPrices(code);
    if (s) await put(join(dir, 'fx_prices_csv'), `${code}.csv`, writeFxPricesCsv(s));
    counts.fx++;
  }

  const capital = await openCapitalStore(nc, prefix);
  const total = await capital.totalHistory();
  await put(join(dir, 'capital'), 'total_capital.csv', objectsToCsv(total));
  const strategyCapital = [];
  for (const s of strategies) strategyCapital.push(...(await capital.strategyCapitalHistory(s)));
  await put(join(dir, 'capital'), 'strategy_capital.csv', objectsToCsv(strategyCapital));
  counts.capital_rows = total.length + strategyCapital.length;

  const strategyStore = await openStrategyStore(nc, prefix);
  const optimal = [];
  for (const s of strategies) optimal.push(...(await strategyStore.getOptimalPositions(s)));
  await put(join(dir, 'positions'), 'optimal_positions.csv', objectsToCsv(optimal));
  counts.optimal_positions = optimal.length;

  const positions = await readPositions(nc, prefix);
  await put(join(dir, 'positions'), 'contract_positions.csv', objectsToCsv(positions.contract));
  await put(join(dir, 'positions'), 'strategy_positions.csv', objectsToCsv(positions.strategy));
  counts.contract_positions = positions.contract.length;
  counts.strategy_positions = positions.strategy.length;

  const orders = await openOrderJournal(nc, prefix);
  const fills = (await orders.loadFills<Record<string, unknown>>()).map((e) => e.data);
  await put(join(dir, 'orders'), 'fills.csv', objectsToCsv(fills));
  counts.fills = fills.length;
  const history = (await orders.loadHistory<Record<string, unknown>>()).map((e) => ({
    subject: e.subject,
    ...e.data,
  }));
  await put(join(dir, 'orders'), 'historic_orders.csv', objectsToCsv(history));
  counts.historic_orders = history.length;
  return counts;
}
