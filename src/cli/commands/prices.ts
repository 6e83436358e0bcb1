import { readFile, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { type DecideSpike, manualCheckQuarantine } from '../../../actors/price-updates.ts';
import { type ManualDecision, parseDecisionInput } from '../../domain/prices/manual-check.ts';
import { panamaStitch } from '../../domain/prices/panama.ts';
import { formatNaiveTimestamp } from '../../domain/prices/time.ts';
import { type ImportProgress, importPrices } from '../../store/csv/import.ts';
import { parseMultiplePricesCsv, writeAdjustedPricesCsv } from '../../store/csv/price-files.ts';
import type { PriceStore, QuarantineTarget } from '../../store/price-store.ts';
import { withBus } from '../context.ts';
import { registerPriceViews } from './prices-view.ts';
import { CliError, printResult, UsageError } from '../output.ts';
import { openPriceStore } from '../../store/backend.ts';

/** `systack prices ...`: import pysystemtrade CSVs, Panama-adjust a multiple prices file, manual spike check. */

interface NatsOpts {
  natsUrl?: string;
}

/** The price store of the running system: `--nats-url`, else config `nats_url`, else the embedded server. */
async function withStore<T>(opts: NatsOpts, fn: (store: PriceStore) => Promise<T>): Promise<T> {
  return withBus({ natsUrl: opts.natsUrl, processName: 'systack-prices' }, async ({ nc, prefix }) =>
    fn(await openPriceStore(nc, prefix)),
  );
}

/** A cli-progress bar on a TTY, plain lines otherwise (both on stderr, so --json stdout stays clean). */
export function importProgressReporter(): { progress: ImportProgress; stop: () => void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: '{phase} [{bar}] {value}/{total} {item}', stream: process.stderr, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    let phase = '';
    return {
      progress: (e) => {
        if (e.phase !== phase) {
          if (phase) bar.stop();
          phase = e.phase;
          bar.start(e.total, 0, { phase, item: '' });
        }
        bar.update(e.done, { phase, item: e.item });
      },
      stop: () => bar.stop(),
    };
  }
  return {
    progress: (e) => process.stderr.write(`${e.phase} ${e.done}/${e.total} ${e.item}\n`),
    stop: () => undefined,
  };
}

function describeTarget(t: QuarantineTarget): string {
  return t.kind === 'fx' ? `FX ${t.fxCode}` : `${t.instrumentCode} ${t.contractDate} (${t.frequency})`;
}

function fixedDecider(flag: 'accept' | 'previous'): DecideSpike {
  return async () => ({ kind: flag }) as ManualDecision;
}

function interactiveDecider(): { decide: DecideSpike; close: () => void } {
  const rl = createInterface({ input: process.stdin, terminal: process.stdin.isTTY === true });
  // the async iterator buffers lines, so answers piped in ahead of the questions are not lost
  const lines = rl[Symbol.asyncIterator]();
  const decide: DecideSpike = async (spike, target) => {
    process.stdout.write(
      `\nSpike in ${describeTarget(target)} at ${formatNaiveTimestamp(spike.time)}: ` +
        `FINAL ${spike.value} (previous ${spike.previous}), ${spike.ratio.toFixed(2)}× the average move\n`,
    );
    for (;;) {
      process.stdout.write('[a]ccept, use [p]revious value, or type a price: ');
      const next = await lines.next();
      if (next.done) throw new CliError('input ended before every spike was decided: nothing written');
      const d = parseDecisionInput(next.value);
      if (d) return d;
      process.stdout.write(`'${next.value}' is not a, p or a number\n`);
    }
  };
  return { decide, close: () => rl.close() };
}

export function register(program: Command): void {
  const prices = program
    .command('prices')
    .description('Price data: import, back-adjust, list, show, manual spike check');
  registerPriceViews(prices);

  prices
    .command('import')
    .description(
      "Import a folder laid out like pysystemtrade's data/futures (csvconfig, *_csv folders) into JetStream",
    )
    .requiredOption(
      '--dir <folder>',
      'folder with csvconfig/, multiple_prices_csv/, adjusted_prices_csv/, ...',
    )
    .option('--nats-url <url>', 'NATS server (default: config nats_url or the running system)')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: NatsOpts & { dir: string; json?: boolean }) => {
      const reporter = importProgressReporter();
      const summary = await withStore(opts, (store) =>
        importPrices(store, opts.dir, reporter.progress),
      ).finally(reporter.stop);
      printResult(
        opts.json
          ? summary
          : {
              instrument_configs: summary.instrumentConfigs,
              multiple_prices: summary.multiplePrices.join(' '),
              adjusted_prices: summary.adjustedPrices.join(' '),
              fx_prices: summary.fxPrices.join(' '),
              roll_calendars: summary.rollCalendars.join(' '),
              contract_prices: summary.contractPrices.length,
              rows: summary.rows,
            },
        { json: opts.json },
      );
    });

  prices
    .command('adjust')
    .description("Panama back-adjust a multiple prices CSV into pysystemtrade's adjusted prices CSV")
    .requiredOption('--multiple <file>', 'multiple prices CSV (DATETIME,CARRY,CARRY_CONTRACT,PRICE,...)')
    .requiredOption('--out <file>', 'adjusted prices CSV to write (DATETIME,price)')
    .option('--forward-fill', 'forward-fill every column first (as the sysinit rebuild does)')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { multiple: string; out: string; forwardFill?: boolean; json?: boolean }) => {
      const text = await readFile(opts.multiple, 'utf8').catch((err: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot read ${opts.multiple}: ${err.code ?? err.message}`);
      });
      const m = parseMultiplePricesCsv(text, opts.multiple);
      const adjusted = panamaStitch(m, { forwardFill: opts.forwardFill === true });
      await writeFile(opts.out, writeAdjustedPricesCsv(adjusted));
      const rolls = m.priceContract.reduce(
        (n, c, i) => (i > 0 && c !== m.priceContract[i - 1] ? n + 1 : n),
        0,
      );
      printResult({ rows: adjusted.times.length, rolls, out: opts.out }, { json: opts.json });
    });

  prices
    .command('check')
    .description('Manual check of quarantined price spikes for an instrument or an FX code')
    .argument('<code>', 'instrument code (e.g. GOLD) or FX code (e.g. EURUSD)')
    .option('--accept-all', 'accept every spike as it is')
    .option('--use-previous', "replace every spike with the previous period's value")
    .option('--nats-url <url>', 'NATS server (default: config nats_url or the running system)')
    .option('--json', 'print the outcome as JSON')
    .action(
      async (
        code: string,
        opts: NatsOpts & { acceptAll?: boolean; usePrevious?: boolean; json?: boolean },
      ) => {
        if (opts.acceptAll && opts.usePrevious)
          throw new UsageError('use only one of --accept-all and --use-previous');
        const outcomes = await withStore(opts, async (store) => {
          const records = await store.listQuarantine(code);
          if (records.length === 0) throw new CliError(`no quarantined prices for ${code}`);
          const interactive = !opts.acceptAll && !opts.usePrevious ? interactiveDecider() : undefined;
          const decide = interactive?.decide ?? fixedDecider(opts.acceptAll ? 'accept' : 'previous');
          try {
            const out = [];
            for (const rec of records) out.push(await manualCheckQuarantine(store, rec, decide));
            return out;
          } finally {
            interactive?.close();
          }
        });
        printResult(
          outcomes.map((o) => ({
            target: describeTarget(o.target),
            decisions: o.decisions,
            rows_written: o.rowsWritten,
          })),
          { json: opts.json },
        );
      },
    );
}
