/**
 * `systack diagnostics instrument-config <instrument>` and `systack diagnostics contract-config
 * <instrument> <contract>`: interactive_diagnostics "Instrument configuration" (production doc
 * "View instrument configuration data" / "View contract configuration data"), read from the
 * price store's instrument config and the IB config of `ib_config_dir`
 * (actors/instrument-config-service.ts).
 */
import type { Command } from 'commander';
import type { PriceStore } from '../../store/price-store.ts';
import type { IbInstrumentConfig } from '../../broker/ib/ib-config.ts';
import { withBus } from '../context.ts';
import { CliError, printResult, UsageError } from '../output.ts';

interface Opts {
  natsUrl?: string;
  json?: boolean;
}

/** Run `view` on the price store and the IB config; an unknown instrument or contract exits 1. */
async function show(
  o: Opts,
  view: (
    svc: typeof import('../../../actors/instrument-config-service.ts'),
    store: PriceStore,
    ib: IbInstrumentConfig,
  ) => Promise<unknown>,
): Promise<void> {
  const [svc, { loadIbInstrumentConfig }, { openPriceStore }] = await Promise.all([
    import('../../../actors/instrument-config-service.ts'),
    import('../../broker/ib/ib-config.ts'),
    import('../../store/backend.ts'),
  ]);
  const out = await withBus({ natsUrl: o.natsUrl, shipLogs: false }, async ({ nc, prefix, config }) => {
    const ib = loadIbInstrumentConfig(config.system.ib_config_dir);
    try {
      return await view(svc, await openPriceStore(nc, prefix), ib);
    } catch (err) {
      if (err instanceof svc.UnknownInstrument || err instanceof svc.UnknownContract)
        throw new CliError(err.message);
      throw err;
    }
  });
  printResult(out, { json: o.json });
}

export function register(program: Command): void {
  const diagnostics = program
    .command('diagnostics')
    .description('Instrument and contract configuration (interactive_diagnostics)');
  diagnostics
    .command('instrument-config')
    .description(
      'An instrument: description, point size, currency, asset class, slippage and commission, roll parameters, IB config',
    )
    .argument('<instrument>', 'instrument code, e.g. GOLD')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action((code: string, o: Opts) =>
      show(o, (svc, store, ib) => svc.instrumentConfigView(store, ib, code)),
    );
  diagnostics
    .command('contract-config')
    .description(
      'A contract: roll cycles and offsets, expiry (from the broker, else approximate), roll date, carry and next held contract, IB names',
    )
    .argument('<instrument>', 'instrument code, e.g. GOLD')
    .argument('<contract>', 'contract date YYYYMM00 (or YYYYMM, YYYYMMDD), e.g. 20250600')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action((code: string, contract: string, o: Opts) => {
      if (
        !/^\d{6}(\d{2})?$/.test(contract) ||
        !(Number(contract.slice(4, 6)) >= 1 && Number(contract.slice(4, 6)) <= 12)
      )
        throw new UsageError(`contract must be YYYYMM00, YYYYMM or YYYYMMDD, got '${contract}'`);
      return show(o, (svc, store, ib) => svc.contractConfigView(store, ib, code, contract));
    });
}
