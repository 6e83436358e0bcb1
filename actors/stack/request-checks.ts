/**
 * The semantic half of the order services' validation (issue 10 §8): after the zod schemas of
 * `src/bus/schemas/orders.ts`, every mutating request is checked against the system's data before
 * its handler runs: instruments and strategies must be known, quantities must stay within
 * `max_order_qty` and must not take a position beyond its limit. A failed check is a 400 with the
 * reason, and nothing is written.
 */
import { ErrorCodes, ServiceError } from '../../src/bus/service.ts';
import { positionLimitProblem } from '../../src/domain/orders/request-rules.ts';
import { assertKnown, UnknownNameError, type Universe } from '../universe.ts';
import type { StackPositions } from './read-model.ts';

export interface RequestCheckContext {
  universe: Universe;
  positions(): StackPositions;
  isLocked(instrumentCode: string): boolean;
}

interface Named {
  strategy_name?: string;
  instrument_code?: string;
}

const bad = (message: string) => new ServiceError(ErrorCodes.badRequest, message);

/** Which quantity field of a body moves a position (and whose). */
function quantity(endpoint: string, b: Record<string, unknown>): number | undefined {
  if (endpoint === 'instrument.create' || endpoint === 'manual.trade') return b.trade as number;
  if (endpoint.startsWith('balance.') || endpoint.startsWith('fill.')) return b.qty as number | undefined;
  return undefined;
}

async function checkLimits(ctx: RequestCheckContext, n: Named, qty: number): Promise<void> {
  const max = ctx.universe.maxOrderQty;
  if (Math.abs(qty) > max) throw bad(`qty ${qty}: more than max_order_qty ${max} lots in one request`);
  if (!n.instrument_code) return;
  const limits = await ctx.universe.positionLimits();
  const pos = ctx.positions();
  const instrumentPosition = pos.strategy
    .filter((p) => p.instrumentCode === n.instrument_code)
    .reduce((a, p) => a + p.position, 0);
  const problems = [
    positionLimitProblem({
      position: instrumentPosition,
      limit: limits.instrument?.[n.instrument_code],
      qty,
      what: `instrument ${n.instrument_code}`,
    }),
  ];
  if (n.strategy_name) {
    const key = `${n.strategy_name}/${n.instrument_code}`;
    problems.push(
      positionLimitProblem({
        position: pos.strategy.find((p) => `${p.strategyName}/${p.instrumentCode}` === key)?.position ?? 0,
        limit: limits.strategy_instrument?.[key],
        qty,
        what: `strategy ${key}`,
      }),
    );
  }
  const problem = problems.find((p) => p !== undefined);
  if (problem) throw bad(problem);
}

/** Check one parsed request of a mutating order endpoint; throws a 400 ServiceError. */
export async function checkOrderRequest(
  ctx: RequestCheckContext,
  endpoint: string,
  body: Record<string, unknown>,
): Promise<void> {
  const n = body as Named;
  try {
    if (endpoint === 'lock.instrument') {
      // Unlocking an instrument that is locked is always allowed (its config may have gone).
      if (!(body.locked === false && n.instrument_code && ctx.isLocked(n.instrument_code)))
        await assertKnown(ctx.universe, { instrument_code: n.instrument_code });
      return;
    }
    await assertKnown(ctx.universe, n);
  } catch (err) {
    if (err instanceof UnknownNameError) throw bad(err.message);
    throw err;
  }
  const qty = quantity(endpoint, body);
  if (qty !== undefined) await checkLimits(ctx, endpoint.startsWith('fill.') ? {} : n, qty);
}
