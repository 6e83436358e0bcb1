/**
 * `systack capital ...`: the reference's capital tools (digest §5), run in-process against the
 * JetStream store with the same validation as the `<prefix>.capital.*` endpoints.
 */
import type { Command } from 'commander';
import { parseInput } from '../parse-input.ts';
import type { CapitalOps } from '../../../actors/capital-ops.ts';
import { capitalSchemas } from '../../../actors/capital-service.ts';
import { openStrategyRuntime } from '../../../actors/strategy-runtime.ts';
import { ServiceError } from '../../bus/service.ts';
import { wallClock } from '../../clock.ts';
import { withBus } from '../context.ts';
import { CliError, printResult, UsageError } from '../output.ts';

interface Common {
  natsUrl?: string;
  json?: boolean;
}

function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number, got '${v}'`);
  return n;
}

async function withCapital<T>(opts: Common, fn: (ops: CapitalOps) => Promise<T>): Promise<void> {
  await withBus({ natsUrl: opts.natsUrl }, async ({ nc, config, prefix, log }) => {
    const rt = await openStrategyRuntime(nc, prefix, config.system, wallClock, { log });
    try {
      const result = await fn(rt.capital);
      printResult(result, { json: opts.json });
    } catch (err) {
      if (err instanceof ServiceError) throw new CliError(err.message);
      throw err;
    }
  });
}

export function register(program: Command): void {
  const capital = program.command('capital').description('Total capital, flows and strategy capital');
  const common = (c: Command) =>
    c
      .option('--nats-url <url>', 'NATS server (default: config or the running system)')
      .option('--json', 'print JSON');

  common(capital.command('show').description('Current capital, any held change, strategy capital')).action(
    (o: Common) => withCapital(o, (ops) => ops.show()),
  );
  common(capital.command('history').description('Every capital row, oldest first')).action((o: Common) =>
    withCapital(o, (ops) => ops.history()),
  );
  common(
    capital
      .command('update')
      .description('Update total capital from the account value (held if it changes by more than the limit)')
      .option('--account-value <v>', 'account value in base currency (default: poll the broker)'),
  ).action((o: Common & { accountValue?: string }) => {
    const body = parseInput(capitalSchemas.update, { account_value: num('--account-value', o.accountValue) });
    return withCapital(o, (ops) => ops.update(body.account_value));
  });
  common(
    capital
      .command('accept')
      .description('Accept a held large change after a fresh poll')
      .option('--account-value <v>', 'freshly read account value (default: poll the broker)'),
  ).action((o: Common & { accountValue?: string }) => {
    const body = parseInput(capitalSchemas.accept, { account_value: num('--account-value', o.accountValue) });
    return withCapital(o, (ops) => ops.accept(body.account_value));
  });
  for (const [name, sign] of [
    ['deposit', 1],
    ['withdraw', -1],
  ] as const) {
    common(
      capital
        .command(`${name} <amount>`)
        .description(`Record a ${name === 'deposit' ? 'deposit' : 'withdrawal'}`),
    ).action((amount: string, o: Common) => {
      const body = parseInput(capitalSchemas.deposit, { amount: num('amount', amount) });
      return withCapital(o, (ops) => ops.flow(sign * body.amount));
    });
  }
  common(
    capital
      .command('initialise')
      .description('Create the first capital row')
      .requiredOption('--account-value <v>', 'broker account value')
      .option('--total-capital <v>')
      .option('--max-capital <v>')
      .option('--accumulated-pnl <v>'),
  ).action((o: Common & Record<string, string | undefined>) => {
    const body = parseInput(
      capitalSchemas.initialise,
      dropUndefined({
        broker_account_value: num('--account-value', o.accountValue),
        total_capital: num('--total-capital', o.totalCapital),
        max_capital: num('--max-capital', o.maxCapital),
        accumulated_pnl: num('--accumulated-pnl', o.accumulatedPnl),
      }),
    );
    return withCapital(o, (ops) => ops.initialise(body));
  });
  common(
    capital
      .command('modify')
      .description('Modify any capital value (writes a new row)')
      .option('--account-value <v>')
      .option('--total-capital <v>')
      .option('--max-capital <v>')
      .option('--accumulated-pnl <v>'),
  ).action((o: Common & Record<string, string | undefined>) => {
    const body = parseInput(
      capitalSchemas.modify,
      dropUndefined({
        broker_account_value: num('--account-value', o.accountValue),
        total_capital: num('--total-capital', o.totalCapital),
        max_capital: num('--max-capital', o.maxCapital),
        accumulated_pnl: num('--accumulated-pnl', o.accumulatedPnl),
      }),
    );
    return withCapital(o, (ops) => ops.modify(body));
  });
  common(
    capital.command('delete-since <time>').description('Delete capital rows at or after an ISO time'),
  ).action((time: string, o: Common) => {
    const body = parseInput(capitalSchemas.delete_since, { since: time });
    return withCapital(o, (ops) => ops.deleteSince(Date.parse(body.since)));
  });
  common(capital.command('allocate').description('Allocate total capital to strategies')).action(
    (o: Common) => withCapital(o, (ops) => ops.allocate()),
  );
  common(
    capital
      .command('ledger <strategy> <kind> <amount>')
      .description(
        "Add to an allowance strategy's ledger: kind allowance | pnl | fees | deposit | withdrawal",
      ),
  ).action((strategy: string, kind: string, amount: string, o: Common) => {
    const body = parseInput(capitalSchemas.ledger_add, {
      strategy_name: strategy,
      kind,
      amount: num('amount', amount),
    });
    return withCapital(o, (ops) => ops.ledgerAdd(body.strategy_name, body.kind, body.amount));
  });
}

function dropUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
