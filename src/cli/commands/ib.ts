/**
 * `systack ib check`: connect to TWS / IB Gateway read-only and print the account, its net
 * liquidation, positions and open orders. `systack control client-ids`: the broker client ids
 * recorded per process (view, release one, clear the unused).
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { wallClock } from '../../clock.ts';
import { loadConfigCached } from '../../config/cached.ts';
import { withBus } from '../context.ts';
import { CliError, parsePositiveInt, printResult } from '../output.ts';
import { registerControl } from './control.ts';

interface CheckOptions {
  host?: string;
  port?: string;
  clientId?: string;
  timeout: string;
  json?: boolean;
}

async function ibCheck(opts: CheckOptions): Promise<void> {
  const { system } = await loadConfigCached();
  const host = opts.host ?? system.ib_ipaddress;
  const port = opts.port === undefined ? system.ib_port : parsePositiveInt('--port', opts.port);
  const clientId =
    opts.clientId === undefined ? system.ib_idoffset : parsePositiveInt('--client-id', opts.clientId);
  // The IB adapter (and @stoqey/ib) is loaded only by the command that talks to IB.
  const [{ IbBroker }, { loadIbInstrumentConfig }] = await Promise.all([
    import('../../broker/ib/ib-broker.ts'),
    import('../../broker/ib/ib-config.ts'),
  ]);
  const broker = new IbBroker({
    host,
    port,
    clientId,
    ...(system.broker_account ? { account: system.broker_account } : {}),
    clock: wallClock,
    instruments: loadIbInstrumentConfig(system.ib_config_dir),
    connectTimeoutMs: parsePositiveInt('--timeout', opts.timeout),
    requestTimeoutMs: 10_000,
  });
  try {
    try {
      await broker.connect();
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    const value = await broker.accountValue();
    const positions = await broker.positions();
    const orders = (await broker.orders()).filter(
      (o) => !['filled', 'cancelled', 'rejected'].includes(o.status),
    );
    const result = {
      connected: `${host}:${port}`,
      client_id: broker.connection.clientId,
      account: broker.account ?? '',
      managed_accounts: broker.managedAccounts.join(','),
      net_liquidation: value.value,
      currency: value.currency,
      positions,
      open_orders: orders,
    };
    if (opts.json) return printResult(result, { json: true });
    const { positions: p, open_orders: o, ...head } = result;
    printResult(head);
    printResult(p.length ? p : 'no positions');
    printResult(o.length ? o : 'no open orders');
  } finally {
    await broker.disconnect();
  }
}

/** The client-id store, loaded by the subcommand that runs (not by every `systack control ...` call). */
const clientIds = () => import('../../store/broker-client-ids.ts');

export function register(program: Command): void {
  const ib = program.command('ib').description('Interactive Brokers (TWS / IB Gateway)');
  ib.command('check')
    .description('Connect read-only; print account, net liquidation, positions and open orders')
    .option('--host <host>', 'TWS / Gateway host (default: config ib_ipaddress)')
    .option('--port <port>', 'TWS / Gateway port (default: config ib_port)')
    .option('--client-id <id>', 'client id (default: config ib_idoffset)')
    .option('--timeout <ms>', 'give up connecting after this long', '4000')
    .option('--json', 'print JSON')
    .action((opts: CheckOptions) => ibCheck(opts));

  const control = registerControl(program);
  const ids = control
    .command('client-ids')
    .description('Broker client ids held by processes (view; release; clear-unused)')
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON')
    .action(async (opts: { natsUrl?: string; json?: boolean }) => {
      const { BrokerClientIds } = await clientIds();
      const rows = await withBus({ natsUrl: opts.natsUrl }, async ({ nc, prefix }) =>
        (await BrokerClientIds.open(nc, prefix)).list(),
      );
      printResult(rows.length || opts.json ? rows : 'no broker client ids allocated', { json: opts.json });
    });
  ids
    .command('clear-unused')
    .description('Release the ids of processes no longer running on this host')
    .option('--nats-url <url>', 'NATS server')
    .action(async (opts: { natsUrl?: string }) => {
      const { BrokerClientIds, pidAlive } = await clientIds();
      const cleared = await withBus({ natsUrl: opts.natsUrl }, async ({ nc, prefix }) =>
        (await BrokerClientIds.open(nc, prefix)).clearUnused(hostname(), pidAlive),
      );
      printResult(cleared.length ? cleared : 'no unused broker client ids');
    });
  ids
    .command('release')
    .description('Release one broker client id')
    .argument('<id>', 'the broker client id')
    .option('--nats-url <url>', 'NATS server')
    .action(async (id: string, opts: { natsUrl?: string }) => {
      const n = parsePositiveInt('id', id);
      const { BrokerClientIds } = await clientIds();
      const had = await withBus({ natsUrl: opts.natsUrl }, async ({ nc, prefix }) =>
        (await BrokerClientIds.open(nc, prefix)).release(n),
      );
      if (!had) throw new CliError(`broker client id ${n} is not allocated`);
      printResult(`released broker client id ${n}`);
    });
}
