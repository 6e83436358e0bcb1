/**
 * Position limits and overrides over NATS (digest §2 B3, B4; the reference's
 * interactive_controls): `<prefix>.control.limits.{list,set,delete}` and
 * `<prefix>.control.overrides.{list,set,delete}`. Requests are zod-validated; a bad one is
 * answered with 400 and changes nothing.
 */
import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { ErrorCodes, endpoint, ServiceError, startService } from '../src/bus/service.ts';
import { subject } from '../src/bus/subjects.ts';
import { parseOverride } from '../src/domain/strategy-orders/overrides.ts';
import type { ControlsStore } from '../src/store/controls-store.ts';
import { nameSchema } from '../src/bus/schemas/names.ts';
import { assertKnown, type KnownNames, UnknownNameError } from './universe.ts';

/** A set request must name a known instrument and strategy (400 otherwise); removing never needs to. */
export async function assertKnownTarget(names: KnownNames | undefined, r: ControlTargetBody): Promise<void> {
  if (!names) return;
  try {
    await assertKnown(names, r);
  } catch (err) {
    if (err instanceof UnknownNameError) throw new ServiceError(ErrorCodes.badRequest, err.message);
    throw err;
  }
}

interface ControlTargetBody {
  instrument_code?: string;
  strategy_name?: string;
}

const name = nameSchema(/^[-_=a-zA-Z0-9]+$/, 'letters, digits, -, _ or =');

const overrideValue = z.union([
  z.number().min(0).max(1),
  z.enum(['close', 'none', 'reduce_only', 'no_trading']),
]);

/** The targets of a control; `extra` adds the value field to every member. */
function limitTargets<E extends z.ZodRawShape>(extra: E) {
  return z.discriminatedUnion('scope', [
    z.strictObject({ scope: z.literal('instrument'), instrument_code: name, ...extra }),
    z.strictObject({
      scope: z.literal('strategy_instrument'),
      strategy_name: name,
      instrument_code: name,
      ...extra,
    }),
  ]);
}

function overrideTargets<E extends z.ZodRawShape>(extra: E) {
  return z.discriminatedUnion('scope', [
    z.strictObject({ scope: z.literal('strategy'), strategy_name: name, ...extra }),
    z.strictObject({ scope: z.literal('instrument'), instrument_code: name, ...extra }),
    z.strictObject({
      scope: z.literal('strategy_instrument'),
      strategy_name: name,
      instrument_code: name,
      ...extra,
    }),
  ]);
}

export const controlSchemas = {
  limitSet: limitTargets({ limit: z.number().int().min(0) }),
  limitDelete: limitTargets({}),
  overrideSet: overrideTargets({ override: overrideValue }),
  overrideDelete: overrideTargets({}),
};

function stripLimit<T extends { limit: number }>(r: T): Omit<T, 'limit'> {
  const { limit: _l, ...rest } = r;
  return rest;
}

export async function startControlsService(
  nc: NatsConnection,
  prefix: string,
  store: ControlsStore,
  /** When given, set requests must name known instruments and strategies. */
  names?: KnownNames,
): Promise<Service> {
  const s = (...p: string[]) => subject(prefix, 'control', ...p);
  return startService(nc, {
    name: 'controls',
    version: '1.0.0',
    description: 'Position limits and trading overrides',
    endpoints: [
      endpoint({
        name: 'limits_list',
        subject: s('limits', 'list'),
        description: 'all position limits',
        schema: z.strictObject({}),
        handler: () => store.positionLimits(),
      }),
      endpoint({
        name: 'limits_set',
        subject: s('limits', 'set'),
        description: 'set a position limit (instrument, or strategy × instrument)',
        schema: controlSchemas.limitSet,
        handler: async (r) => {
          await assertKnownTarget(names, r);
          await store.setPositionLimit(r.scope, stripLimit(r), r.limit);
          return store.positionLimits();
        },
      }),
      endpoint({
        name: 'limits_delete',
        subject: s('limits', 'delete'),
        description: 'remove a position limit',
        schema: controlSchemas.limitDelete,
        handler: async (r) => {
          if (!(await store.deletePositionLimit(r.scope, r)))
            throw new ServiceError(ErrorCodes.notFound, `no ${r.scope} position limit for that target`);
          return store.positionLimits();
        },
      }),
      endpoint({
        name: 'overrides_list',
        subject: s('overrides', 'list'),
        description: 'all overrides',
        schema: z.strictObject({}),
        handler: () => store.overrides(),
      }),
      endpoint({
        name: 'overrides_set',
        subject: s('overrides', 'set'),
        description:
          'set an override (strategy, instrument, or both): a multiplier in [0,1], close, none, reduce_only, no_trading',
        schema: controlSchemas.overrideSet,
        handler: async (r) => {
          await assertKnownTarget(names, r);
          const { override, ...target } = r;
          await store.setOverride(r.scope, target, parseOverride(override));
          return store.overrides();
        },
      }),
      endpoint({
        name: 'overrides_delete',
        subject: s('overrides', 'delete'),
        description: 'remove an override',
        schema: controlSchemas.overrideDelete,
        handler: async (r) => {
          if (!(await store.deleteOverride(r.scope, r)))
            throw new ServiceError(ErrorCodes.notFound, `no ${r.scope} override for that target`);
          return store.overrides();
        },
      }),
    ],
  });
}
