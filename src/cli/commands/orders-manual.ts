/**
 * `systack orders force-roll | fx-balances | fx-trade`: interactive_order_stack "Create force
 * roll contract orders" (for one instrument, now) and "Cash FX trade", as clients of the stack
 * handler's `systack-orders-manual` service (actors/manual-orders-service.ts). The input is
 * checked against the service's schemas before anything is sent; the service refuses what the
 * rules do not allow, and nothing changes.
 */
import { RequestError } from '@nats-io/transport-node';
import type { Command } from 'commander';
import { callService, ServiceError } from '../../bus/service.ts';
import { subject } from '../../bus/subjects.ts';
import { withBus } from '../context.ts';
import { CliError, printResult } from '../output.ts';
import { parseInput } from '../parse-input.ts';

interface Common {
  natsUrl?: string;
  json?: boolean;
}

const service = () => import('../../../actors/manual-orders-service.ts');

async function call<R>(opts: Common, path: readonly string[], body: unknown): Promise<R> {
  return withBus({ natsUrl: opts.natsUrl }, async ({ nc, prefix }) => {
    try {
      return await callService<R>(nc, subject(prefix, ...path), body);
    } catch (err) {
      if (err instanceof ServiceError) throw new CliError(`${err.message} (code ${err.code})`);
      if (err instanceof RequestError && err.isNoResponders())
        throw new CliError('the stack handler is not running; this action needs it');
      throw err;
    }
  });
}

const withCommon = (c: Command) =>
  c
    .option('--nats-url <url>', 'NATS server (default: config or the running system)')
    .option('--json', 'print JSON');

export function register(program: Command): void {
  const orders = program.commands.find((c) => c.name() === 'orders');
  if (!orders) throw new Error('orders is registered by orders.ts first');

  withCommon(
    orders
      .command('force-roll <instrument>')
      .description(
        "Create force roll contract orders for one instrument now (its roll state Force, Force_Outright or Close; the stack handler's rules)",
      ),
  ).action(async (instrument: string, o: Common) => {
    const { manualOrderSchemas, MANUAL_ORDER_SUBJECTS } = await service();
    const body = parseInput(manualOrderSchemas.forceRoll, { instrument_code: instrument });
    printResult(await call(o, MANUAL_ORDER_SUBJECTS.forceRoll, body), { json: o.json });
  });

  withCommon(orders.command('fx-balances').description('Cash balances per currency at the broker')).action(
    async (o: Common) => {
      const { MANUAL_ORDER_SUBJECTS } = await service();
      printResult(await call(o, MANUAL_ORDER_SUBJECTS.fxBalances, {}), { json: o.json });
    },
  );

  withCommon(
    orders
      .command('fx-trade')
      .description(
        'Cash FX trade: a spot FX market order at the broker, e.g. fx-trade GBPUSD buy 10000 (pair in market convention; amount of the first currency)',
      )
      .argument('<pair>', 'currency pair, six capital letters (GBPUSD: pounds against dollars)')
      .argument('<side>', 'buy | sell (the first currency)')
      .argument('<amount>', 'units of the first currency, a positive whole number'),
  ).action(async (pair: string, side: string, amount: string, o: Common) => {
    const { manualOrderSchemas, MANUAL_ORDER_SUBJECTS } = await service();
    const body = parseInput(manualOrderSchemas.fxTrade, {
      pair,
      side,
      amount: amount.trim() === '' ? Number.NaN : Number(amount),
    });
    const placed = await call(o, MANUAL_ORDER_SUBJECTS.fxTrade, body);
    printResult(placed, { json: o.json });
    if (o.json) return;
    process.stdout.write('cash balances now (IB reports a fill a moment later):\n');
    printResult(await call(o, MANUAL_ORDER_SUBJECTS.fxBalances, {}));
  });
}
