/**
 * The client side of `systack orders`: a call to the order services (`<prefix>.orders.*`), a
 * view read from JetStream / KV when no stack handler serves it, the stack views' columns and
 * the argument parsers.
 */
import { type NatsConnection, RequestError } from '@nats-io/transport-node';
import type { OrderEndpoint } from '../../../actors/stack/services.ts';
import { readOrder, readPositionsAndLocks, readStacks } from '../../../actors/stack/stack-reader.ts';
import { callService, ServiceError } from '../../bus/service.ts';
import { subject } from '../../bus/subjects.ts';
import { withBus } from '../context.ts';
import { CliError, printResult, UsageError } from '../output.ts';
import { configuredTickSizes } from '../ticks.ts';

export interface Common {
  natsUrl?: string;
  json?: boolean;
}

export const LEVELS = ['instrument', 'contract', 'broker'] as const;
export type Level = (typeof LEVELS)[number];

export function int(name: string, v: string, nonZero = false): number {
  const n = Number(v);
  if (!Number.isInteger(n) || (nonZero && n === 0))
    throw new UsageError(`${name} must be ${nonZero ? 'a non-zero ' : 'an '}integer, got '${v}'`);
  return n;
}

export function num(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`${name} must be a number, got '${v}'`);
  return n;
}

export function level(v: string): Level {
  if (!(LEVELS as readonly string[]).includes(v))
    throw new UsageError(`level must be one of ${LEVELS.join(', ')}, got '${v}'`);
  return v as Level;
}

const NOT_RUNNING = 'the stack handler is not running';

/** The answer of a view endpoint read from JetStream / KV when no stack handler serves it. */
async function readWithoutHandler(
  nc: NatsConnection,
  prefix: string,
  endpoint: OrderEndpoint,
  body: Record<string, unknown>,
): Promise<unknown> {
  if (endpoint === 'view.instrument' || endpoint === 'view.contract' || endpoint === 'view.broker') {
    const stacks = await readStacks(nc, prefix);
    return stacks[endpoint.slice('view.'.length) as Level].filter((o) => !body.active_only || o.active);
  }
  if (endpoint === 'view.order') {
    const r = await readOrder(nc, prefix, body.level as Level, body.order_id as number);
    const order = r.order ?? r.archived?.order;
    if (!order)
      throw new CliError(`${String(body.level)} order ${String(body.order_id)} not found (code 404)`);
    return order;
  }
  if (endpoint === 'view.positions') return readPositionsAndLocks(nc, prefix);
  throw new CliError(`${endpoint}: ${NOT_RUNNING}; this action needs it`);
}

export async function call(
  opts: Common,
  endpoint: OrderEndpoint,
  body: Record<string, unknown>,
  columns?: string[],
): Promise<void> {
  // A view changes nothing: its log lines stay on stderr (no log stream or email set-up round trips).
  const shipLogs = !endpoint.startsWith('view.');
  await withBus({ natsUrl: opts.natsUrl, shipLogs }, async ({ nc, prefix }) => {
    try {
      const result = await callService<unknown>(nc, subject(prefix, 'orders', ...endpoint.split('.')), body);
      printResult(result, { json: opts.json, columns, ticks: await configuredTickSizes() });
    } catch (err) {
      if (err instanceof ServiceError) throw new CliError(`${endpoint}: ${err.message} (code ${err.code})`);
      if (err instanceof RequestError && err.isNoResponders()) {
        // Views are read from the stores (the system of record); actions need the live handler.
        const result = await readWithoutHandler(nc, prefix, endpoint, body);
        process.stderr.write(`(${NOT_RUNNING}: read from JetStream)\n`);
        return printResult(result, { json: opts.json, columns, ticks: await configuredTickSizes() });
      }
      throw new CliError(
        `${endpoint}: ${err instanceof Error ? err.message : String(err)} (is the stack handler running?)`,
      );
    }
  });
}

export const COLUMNS: Record<Level, string[]> = {
  instrument: [
    'id',
    'strategyName',
    'instrumentCode',
    'trade',
    'fill',
    'filledPrice',
    'orderType',
    'state',
    'active',
    'children',
  ],
  contract: [
    'id',
    'parent',
    'strategyName',
    'instrumentCode',
    'contractDate',
    'trade',
    'fill',
    'algoToUse',
    'referenceOfControllingAlgo',
    'state',
    'active',
    'children',
  ],
  broker: [
    'id',
    'parent',
    'instrumentCode',
    'contractDate',
    'trade',
    'fill',
    'filledPrice',
    'brokerOrderType',
    'limitPrice',
    'brokerStatus',
    'state',
    'active',
  ],
};
