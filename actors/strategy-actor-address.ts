/**
 * Every strategy actor's address on NATS: `<prefix>.strategy.actor.<strategy>`, served (queue
 * group, one answer) by each process hosting strategy actors (run_systems,
 * run_strategy_order_generator). A request is one typed message:
 * - `{"type":"STATE"}` → the actor's stored state, context, version and the process running it;
 * - `{"type":"RESET"}` → clear a failure (refused with 409 unless the actor is `failed`).
 * An unknown or reserved strategy name, an empty or malformed body: 400, nothing changed.
 */
import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { endpoint, ErrorCodes, ServiceError, startService } from '../src/bus/service.ts';
import { subject } from '../src/bus/subjects.ts';
import {
  type StrategyActorRecord,
  StrategyActorBusyError,
  StrategyEventRefusedError,
  UnknownStrategyError,
} from './strategy-actor-records.ts';
import type { StrategyActors } from './strategy-actors.ts';

export const strategyActorMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('STATE') }),
  z.strictObject({ type: z.literal('RESET') }),
]);
export type StrategyActorMessage = z.infer<typeof strategyActorMessage>;

export function strategyActorAddress(prefix: string, strategy: string): string {
  return subject(prefix, 'strategy', 'actor', strategy);
}

export type StrategyActorView = Omit<StrategyActorRecord, 'snapshot' | 'updated_at' | 'context'> & {
  updated_at: number | null;
  context: StrategyActorRecord['context'] | null;
};

function view(strategy: string, r: StrategyActorRecord | undefined): StrategyActorView {
  if (!r)
    return {
      strategy_name: strategy,
      state: 'idle',
      version: 0,
      owner: null,
      updated_at: null,
      context: null,
    };
  const { snapshot: _s, ...rest } = r;
  return rest;
}

async function deliver(actors: StrategyActors, strategy: string, msg: StrategyActorMessage) {
  try {
    if (msg.type === 'STATE') return view(strategy, await actors.read(strategy));
    return view(strategy, await actors.reset(strategy));
  } catch (err) {
    if (err instanceof UnknownStrategyError) throw new ServiceError(ErrorCodes.badRequest, err.message);
    if (err instanceof StrategyEventRefusedError || err instanceof StrategyActorBusyError)
      throw new ServiceError(ErrorCodes.conflict, err.message);
    throw err;
  }
}

export function serveStrategyActors(
  nc: NatsConnection,
  prefix: string,
  actors: StrategyActors,
): Promise<Service> {
  const base = `${subject(prefix, 'strategy', 'actor')}.`;
  return startService(nc, {
    name: 'strategy-actors',
    version: '1.0.0',
    description: "Strategy actors (machines/strategy.ts): each strategy's state; RESET clears a failure",
    endpoints: [
      endpoint({
        name: 'actor',
        subject: subject(prefix, 'strategy', 'actor', '*'),
        description: 'a message to one strategy actor: {"type":"STATE"} or {"type":"RESET"}',
        schema: strategyActorMessage,
        handler: (m, raw) => deliver(actors, raw.subject.slice(base.length), m),
      }),
    ],
  });
}
