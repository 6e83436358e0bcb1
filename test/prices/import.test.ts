import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseNaiveTimestamp } from '../../src/domain/prices/time.ts';
import { type ImportProgressEvent, importPrices } from '../../src/store/csv/import.ts';
import { CsvFormatError } from '../../src/store/csv/rows.ts';
import { MemoryPriceStore } from '../../src/store/memory/price-store.ts';

const DATA = join(import.meta.dirname, '../../../shared/data/pysystemtrade');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function layout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'systack-import-'));
  dirs.push(dir);
  for (const sub of [
    'multiple_prices_csv',
    'adjusted_prices_csv',
    'roll_calendars_csv',
    'fx_prices_csv',
    'csvconfig',
  ])
    mkdirSync(join(dir, sub));
  cpSync(join(DATA, 'multiple_prices_csv/SOFR.csv'), join(dir, 'multiple_prices_csv/SOFR.csv'));
  cpSync(join(DATA, 'adjusted_prices_csv/SOFR.csv'), join(dir, 'adjusted_prices_csv/SOFR.csv'));
  cpSync(join(DATA, 'roll_calendars_csv/SOFR.csv'), join(dir, 'roll_calendars_csv/SOFR.csv'));
  cpSync(join(DATA, 'fx_prices_csv/EURUSD.csv'), join(dir, 'fx_prices_csv/EURUSD.csv'));
  cpSync(join(DATA, 'csvconfig'), join(dir, 'csvconfig'), { recursive: true });
  mkdirSync(join(dir, 'contract_prices_csv'));
  cpSync(
    join(DATA, 'test_fixtures/sysinit/futures/tests/price/AUD_20180900.csv'),
    join(dir, 'contract_prices_csv/AUD_20180900.csv'),
  );
  return dir;
}

describe('importPrices (pysystemtrade CSV layout)', () => {
  it('imports every kind of file with its values', async () => {
    const store = new MemoryPriceStore();
    const events: ImportProgressEvent[] = [];
    const summary = await importPrices(store, layout(), (e) => events.push(e));
    expect(summary.multiplePrices).toEqual(['SOFR']);
    expect(summary.fxPrices).toEqual(['EURUSD']);
    expect(summary.contractPrices).toEqual(['AUD/20180900']);
    const m = await store.getMultiplePrices('SOFR');
    expect(m?.times.length).toBe(23283);
    const last = (m?.times.length ?? 0) - 1;
    expect(m?.times[last]).toBe(parseNaiveTimestamp('2023-08-31 20:00:00'));
    expect(m?.priceContract[last]).toBe('20261200');
    const gold = await store.getInstrumentConfig('GOLD');
    expect(gold?.meta?.pointsize).toBe(100);
    expect(gold?.roll).toEqual({
      holdRollCycle: 'GJMQVZ',
      rollOffsetDays: -30,
      carryOffset: 1,
      pricedRollCycle: 'GJMQVZ',
      expiryOffset: 26,
    });
    expect(gold?.spreadCost).toBe(0.068);
    expect((await store.getInstrumentConfig('USIRS10_ICE'))?.meta?.description).toBe(
      'Ten year dollar swapnote, ICE',
    );
    const fx = await store.getFxPrices('EURUSD');
    expect(fx?.values[0]).toBe(1.06283);
    const aud = await store.getContractPrices('AUD', '20180900', 'D');
    expect(aud?.final[0]).toBe(0.7809999999999999);
    expect(aud?.times[0]).toBe(Date.UTC(2017, 11, 29, 6));
    expect(events.filter((e) => e.phase === 'read').at(-1)).toMatchObject({ done: 6, total: 6 });
    expect(events.some((e) => e.phase === 'write')).toBe(true);
  });

  it.each([
    [
      'a non-number price',
      '2023-08-31 23:00:00,95.1,20260900,abc,20261200,95.2,20270300',
      'PRICE is not a number',
    ],
    ['a bad timestamp', '2023-08-31 25:00:00,95.1,20260900,95.0,20261200,95.2,20270300', 'DATETIME'],
    ['a bad contract', '2023-09-01 23:00:00,95.1,2026090,95.0,20261200,95.2,20270300', 'CARRY_CONTRACT'],
    ['a missing field', '2023-09-01 23:00:00,95.1,20260900,95.0,20261200,95.2', 'expected 7 fields'],
    ['a row out of order', '1980-01-01 23:00:00,95.1,20260900,95.0,20261200,95.2,20270300', 'ascending'],
  ])('%s fails with file:line and imports nothing', async (_what, badRow, reason) => {
    const dir = layout();
    const file = join(dir, 'multiple_prices_csv/SOFR.csv');
    const text = (await import('node:fs')).readFileSync(file, 'utf8');
    const lines = text.trimEnd().split('\n');
    lines.splice(500, 0, badRow); // becomes line 501
    const appended = lines.slice(0, 501).join('\n');
    writeFileSync(file, `${appended}\n${lines.slice(501).join('\n')}\n`);
    const store = new MemoryPriceStore();
    const err = await importPrices(store, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CsvFormatError);
    expect((err as CsvFormatError).message).toMatch(/^multiple_prices_csv\/SOFR\.csv:501: /);
    expect((err as CsvFormatError).message).toContain(reason);
    expect(await store.getMultiplePrices('SOFR')).toBeUndefined();
    expect(await store.listInstrumentConfigs()).toEqual([]);
    expect(await store.listFxPrices()).toEqual([]);
  });

  it('a bad config row names csvconfig file and line', async () => {
    const dir = layout();
    writeFileSync(
      join(dir, 'csvconfig/rollconfig.csv'),
      'Instrument,HoldRollCycle,RollOffsetDays,CarryOffset,PricedRollCycle,ExpiryOffset\nGOLD,GJMQVZ,-30,1,GJMQVZ,26\nCORN,Z,-20,2,HKNUZ,15\n',
    );
    const store = new MemoryPriceStore();
    await expect(importPrices(store, dir)).rejects.toThrow(
      'csvconfig/rollconfig.csv:3: CarryOffset must be 1 or -1',
    );
    expect(await store.listInstrumentConfigs()).toEqual([]);
  });
});
