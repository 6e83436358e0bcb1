import { type Command, Option } from 'commander';
import { pythonRepr } from '../../domain/prices/python-repr.ts';
import { formatNaiveTimestamp, parseNaiveTimestamp } from '../../domain/prices/time.ts';
import type { DateRange, PriceFrequency, PriceStore } from '../../store/price-store.ts';
import { withBus } from '../context.ts';
import { CliError, parsePositiveInt, priceAtTick, printResult, type Row, UsageError } from '../output.ts';
import { configuredTickSizes } from '../ticks.ts';
import { openPriceStore } from '../../store/backend.ts';

/** `systack prices list` and `systack prices show`: look at what the price store holds. */

const stamp = (t: number | undefined): string => (t === undefined ? '' : formatNaiveTimestamp(t));
const num = (x: number | undefined): number | null => (x === undefined || Number.isNaN(x) ? null : x);

function parseDay(flag: string, text: string | undefined, endOfDay: boolean): number | undefined {
  if (text === undefined) return undefined;
  const t = parseNaiveTimestamp(text);
  if (t === undefined)
    throw new UsageError(`${flag} must be YYYY-MM-DD or 'YYYY-MM-DD HH:MM:SS', got '${text}'`);
  return endOfDay && text.length === 10 ? t + 86_399_999 : t;
}

async function withStore<T>(natsUrl: string | undefined, fn: (s: PriceStore) => Promise<T>): Promise<T> {
  return withBus({ natsUrl, processName: 'systack-prices' }, async ({ nc, prefix }) =>
    fn(await openPriceStore(nc, prefix)),
  );
}

export async function listPrices(store: PriceStore): Promise<{ instruments: Row[]; fx: Row[] }> {
  const quarantine = await store.listQuarantine();
  const held = (code: string): number =>
    quarantine.filter((q) => (q.target.kind === 'fx' ? q.target.fxCode : q.target.instrumentCode) === code)
      .length;
  const instruments: Row[] = [];
  for (const code of await store.listMultiplePrices()) {
    const m = await store.getMultiplePrices(code);
    const a = await store.getAdjustedPrices(code);
    const last = (m?.times.length ?? 0) - 1;
    instruments.push({
      instrument: code,
      rows: m?.times.length ?? 0,
      first: stamp(m?.times[0]),
      last: stamp(m?.times[last]),
      price_contract: m?.priceContract[last] ?? '',
      forward_contract: m?.forwardContract[last] ?? '',
      carry_contract: m?.carryContract[last] ?? '',
      adjusted_rows: a?.times.length ?? 0,
      last_adjusted: num(a?.values[(a?.values.length ?? 0) - 1]),
      quarantined: held(code),
    });
  }
  const fx: Row[] = [];
  for (const code of await store.listFxPrices()) {
    const s = await store.getFxPrices(code);
    const n = s?.times.length ?? 0;
    fx.push({
      fx: code,
      rows: n,
      first: stamp(s?.times[0]),
      last: stamp(s?.times[n - 1]),
      last_price: num(s?.values[n - 1]),
      quarantined: held(code),
    });
  }
  return { instruments, fx };
}

type Kind = 'multiple' | 'adjusted' | 'fx' | 'contract';

export async function showPrices(
  store: PriceStore,
  code: string,
  kind: Kind,
  range: DateRange,
  opts: { contract?: string; frequency: PriceFrequency; tick?: number },
): Promise<Row[]> {
  const f = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '' : pythonRepr(x));
  // Prices at the instrument's tick precision when its tick is given (volume stays as it is).
  const p = (x: number | undefined): string =>
    x === undefined || Number.isNaN(x) ? '' : opts.tick ? priceAtTick(x, opts.tick) : pythonRepr(x);
  if (kind === 'multiple') {
    const m = await store.getMultiplePrices(code, range);
    if (!m) throw new CliError(`no multiple prices for ${code}`);
    return Array.from(m.times, (t, i) => ({
      DATETIME: stamp(t),
      CARRY: p(m.carry[i]),
      CARRY_CONTRACT: m.carryContract[i],
      PRICE: p(m.price[i]),
      PRICE_CONTRACT: m.priceContract[i],
      FORWARD: p(m.forward[i]),
      FORWARD_CONTRACT: m.forwardContract[i],
    }));
  }
  if (kind === 'contract') {
    if (!opts.contract) throw new UsageError('--contract YYYYMMDD is needed with --kind contract');
    const c = await store.getContractPrices(code, opts.contract, opts.frequency, range);
    if (!c) throw new CliError(`no ${opts.frequency} prices for ${code} ${opts.contract}`);
    return Array.from(c.times, (t, i) => ({
      DATETIME: stamp(t),
      OPEN: p(c.open[i]),
      HIGH: p(c.high[i]),
      LOW: p(c.low[i]),
      FINAL: p(c.final[i]),
      VOLUME: f(c.volume[i]),
    }));
  }
  const s = kind === 'fx' ? await store.getFxPrices(code, range) : await store.getAdjustedPrices(code, range);
  if (!s) throw new CliError(`no ${kind} prices for ${code}`);
  return Array.from(s.times, (t, i) => ({
    DATETIME: stamp(t),
    [kind === 'fx' ? 'PRICE' : 'price']: kind === 'fx' ? f(s.values[i]) : p(s.values[i]),
  }));
}

export function registerPriceViews(prices: Command): void {
  prices
    .command('list')
    .description(
      'Instruments and FX codes with stored prices: rows, span, current contracts, quarantined batches',
    )
    .option('--nats-url <url>', 'NATS server (default: config nats_url or the running system)')
    .option('--json', 'print JSON')
    .action(async (opts: { natsUrl?: string; json?: boolean }) => {
      const out = await withStore(opts.natsUrl, listPrices);
      if (opts.json) printResult(out, { json: true });
      else {
        printResult(out.instruments);
        printResult(out.fx);
      }
    });

  prices
    .command('show')
    .description('Rows of one stored series, in a date range')
    .argument('<code>', 'instrument code, or FX code with --kind fx')
    .addOption(
      new Option('--kind <kind>', 'which series')
        .choices(['multiple', 'adjusted', 'fx', 'contract'])
        .default('adjusted'),
    )
    .option('--contract <YYYYMMDD>', 'contract, with --kind contract')
    .addOption(
      new Option('--frequency <f>', 'with --kind contract').choices(['D', 'H', '5M', '1M']).default('D'),
    )
    .option('--start <date>', 'first day (YYYY-MM-DD)')
    .option('--end <date>', 'last day (YYYY-MM-DD)')
    .option('--tail <n>', 'only the last n rows', '20')
    .option('--nats-url <url>', 'NATS server (default: config nats_url or the running system)')
    .option('--json', 'print JSON')
    .action(
      async (
        code: string,
        opts: {
          kind: Kind;
          contract?: string;
          frequency: PriceFrequency;
          start?: string;
          end?: string;
          tail: string;
          natsUrl?: string;
          json?: boolean;
        },
      ) => {
        const tail = parsePositiveInt('--tail', opts.tail);
        const range = {
          start: parseDay('--start', opts.start, false),
          end: parseDay('--end', opts.end, true),
        };
        // A table shows prices at the instrument's tick precision; --json keeps them whole.
        const tick = opts.json || opts.kind === 'fx' ? undefined : (await configuredTickSizes())(code);
        const rows = await withStore(opts.natsUrl, (s) =>
          showPrices(s, code, opts.kind, range, { ...opts, tick }),
        );
        printResult(rows.slice(-tail), { json: opts.json });
      },
    );
}
