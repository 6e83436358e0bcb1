import { randomUUID } from 'node:crypto';
import { Argument, type Command } from 'commander';
import { readOrder } from '../../../actors/stack/stack-reader.ts';
import { EOD_CONFIRM } from '../../bus/schemas/confirm.ts';
import { withBus } from '../context.ts';
import { CliError, printResult, UsageError } from '../output.ts';
import { call, COLUMNS, type Common, int, level, LEVELS, num } from './orders-client.ts';

/** `systack orders`: the interactive order stack (digest H4) as a client of the order services. */

export function register(program: Command): void {
  const orders = program
    .command('orders')
    .description(
      'Order stacks: view, create, fill, balance, cancel, lock, delete, end of day, force roll orders, cash FX trades',
    );
  const cmd = (name: string, description: string) =>
    orders
      .command(name)
      .description(description)
      .option('--nats-url <url>', 'NATS server (default: config or the running system)')
      .option('--json', 'print JSON');

  cmd('view', 'View a stack: instrument, contract, broker, or broker-live (from the broker API)')
    .addArgument(new Argument('<stack>', 'which stack').choices([...LEVELS, 'broker-live']))
    .option('--active', 'active orders only')
    .action(async (stack: string, o: Common & { active?: boolean }) => {
      if (stack === 'broker-live') return call(o, 'view.broker_live', {});
      const l = level(stack);
      await call(o, `view.${l}`, { active_only: o.active ?? false }, COLUMNS[l]);
    });
  cmd('order', 'View one order')
    .addArgument(new Argument('<level>', 'order level').choices(LEVELS))
    .argument('<id>', 'order id')
    .action((l: string, id: string, o: Common) =>
      call(o, 'view.order', { level: level(l), order_id: int('id', id) }),
    );
  cmd(
    'history <level> <id>',
    'One order with every change written to its stack subject, and its archived record once completed (read from JetStream; works without the stack handler)',
  ).action((l: string, id: string, o: Common) =>
    withBus({ natsUrl: o.natsUrl }, async ({ nc, prefix }) => {
      const r = await readOrder(nc, prefix, level(l), int('id', id));
      if (!r.order && !r.archived && r.history.length === 0) throw new CliError(`${l} order ${id} not found`);
      if (o.json) return printResult(r, { json: true });
      printResult(r.history, { columns: ['seq', 'version', 'events', 'state', 'fill'] });
      if (r.archived) printResult(`completed ${new Date(r.archived.completedAt).toISOString()}`);
    }),
  );
  cmd('positions', 'Contract and strategy positions (ours) and contract positions at the broker').action(
    async (o: Common) => {
      await call(o, 'view.positions', {});
    },
  );
  const create = (name: string, endpoint: 'instrument.create' | 'manual.trade', description: string) =>
    cmd(`${name} <strategy> <instrument> <trade>`, description)
      .option('--type <type>', 'order type: best, market, limit, panic', 'best')
      .option('--limit-price <price>', 'limit price (limit orders)')
      .option('--reference-price <price>', 'reference price for TCA')
      .option('--reference-contract <yyyymm>', 'contract the reference price is quoted in')
      .action(
        async (
          strategy: string,
          instrument: string,
          trade: string,
          o: Common & {
            type: string;
            limitPrice?: string;
            referencePrice?: string;
            referenceContract?: string;
          },
        ) => {
          await call(o, endpoint, {
            strategy_name: strategy,
            instrument_code: instrument,
            trade: int('trade', trade, true),
            order_type: o.type,
            ...(o.limitPrice !== undefined ? { limit_price: num('--limit-price', o.limitPrice) } : {}),
            ...(o.referencePrice !== undefined
              ? { reference_price: num('--reference-price', o.referencePrice) }
              : {}),
            ...(o.referenceContract !== undefined ? { reference_contract: o.referenceContract } : {}),
          });
        },
      );
  create('create', 'instrument.create', 'Create an instrument order');
  create('manual-trade', 'manual.trade', 'Manual trade: an instrument order that will be executed');
  cmd('spawn', 'Spawn contract orders from new instrument orders').action((o: Common) =>
    call(o, 'spawn', {}),
  );
  cmd('create-broker', 'Create broker orders from contract orders (and send them)').action((o: Common) =>
    call(o, 'broker.create', {}),
  );
  for (const l of ['broker', 'contract'] as const) {
    cmd(`fill-${l} <id>`, `Manually fill a ${l} order (default: its remainder)`)
      .requiredOption('--price <price>', 'fill price')
      .option('--qty <qty>', 'signed quantity')
      .action((id: string, o: Common & { price: string; qty?: string }) =>
        call(o, `fill.${l}`, {
          order_id: int('id', id),
          price: num('--price', o.price),
          ...(o.qty ? { qty: int('--qty', o.qty, true) } : {}),
        }),
      );
  }
  cmd(
    'balance <strategy> <instrument> <contract> <qty>',
    'Balance trade: filled at both levels, not executed',
  )
    .requiredOption('--price <price>', 'fill price')
    .option('--id <requestId>', 'request id (repeating it is refused)')
    .action((s: string, i: string, c: string, q: string, o: Common & { price: string; id?: string }) =>
      call(o, 'balance.trade', {
        strategy_name: s,
        instrument_code: i,
        contract_date: c,
        qty: int('qty', q, true),
        price: num('--price', o.price),
        request_id: o.id ?? randomUUID(),
      }),
    );
  cmd(
    'balance-instrument <strategy> <instrument> <qty>',
    'Balance instrument trade: strategy level only, not executed',
  )
    .requiredOption('--price <price>', 'fill price')
    .option('--id <requestId>', 'request id (repeating it is refused)')
    .action((s: string, i: string, q: string, o: Common & { price: string; id?: string }) =>
      call(o, 'balance.instrument', {
        strategy_name: s,
        instrument_code: i,
        qty: int('qty', q, true),
        price: num('--price', o.price),
        request_id: o.id ?? randomUUID(),
      }),
    );
  cmd('cancel <brokerOrderId>', 'Cancel a broker order').action((id: string, o: Common) =>
    call(o, 'broker.cancel', { order_id: int('id', id) }),
  );
  cmd('net', 'Net new instrument orders per strategy and instrument').action((o: Common) =>
    call(o, 'net', {}),
  );
  for (const [name, locked, verb] of [
    ['lock', true, 'Lock'],
    ['unlock', false, 'Unlock'],
  ] as const) {
    cmd(`${name}-order <level> <id>`, `${verb} an order`).action((l: string, id: string, o: Common) =>
      call(o, 'lock.order', { level: level(l), order_id: int('id', id), locked }),
    );
  }
  cmd('unlock-instrument <instrument>', 'Unlock an instrument').action((i: string, o: Common) =>
    call(o, 'lock.instrument', { instrument_code: i, locked: false }),
  );
  cmd('lock-instrument <instrument>', 'Lock an instrument')
    .option('--reason <text>', 'why (at most 200 characters; shown with the lock)')
    .action((i: string, o: Common & { reason?: string }) =>
      call(o, 'lock.instrument', {
        instrument_code: i,
        locked: true,
        ...(o.reason === undefined ? {} : { reason: o.reason }),
      }),
    );
  cmd('remove-algo-lock <contractOrderId>', 'Remove the algo lock on a contract order').action(
    (id: string, o: Common) => call(o, 'algo.unlock', { order_id: int('id', id) }),
  );
  cmd('delete <level> <id>', 'Delete one order from its stack (not cancelled at the broker)').action(
    (l: string, id: string, o: Common) =>
      call(o, 'delete.order', { level: level(l), order_id: int('id', id) }),
  );
  cmd('delete-all', 'Delete every order on every stack')
    .option('--confirm <text>', "type 'DELETE ALL ORDERS' to confirm")
    .action(async (o: Common & { confirm?: string }) => {
      if (o.confirm !== 'DELETE ALL ORDERS')
        throw new UsageError("refusing: pass --confirm 'DELETE ALL ORDERS'");
      await call(o, 'delete.stack', { confirm: o.confirm });
    });
  cmd('eod', 'End of day: cancel broker orders, process fills, complete and remove all orders').action(
    (o: Common) => call(o, 'eod', { confirm: EOD_CONFIRM }),
  );
}
