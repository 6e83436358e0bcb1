/**
 * The monitor's controls (issue 14 §4): process status (GO / STOP / NO-RUN / PAUSE), mark
 * finished, instrument locks and trade limits (set), sent as requests to the same services the CLI uses
 * (`<prefix>.control.process.*`, `<prefix>.orders.lock.instrument`,
 * `<prefix>.control.trade_limits.set`) on an `operator` connection.
 * A browser gets them only after signing in with the operator's token (the operator role's NATS
 * password, in `data_dir/nats-auth/operator.json`, readable by whoever may run the CLI as
 * operator); everyone else sees the monitor read-only.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { CONTROL_ENDPOINTS } from '../../bus/schemas/process-control.ts';
import { callService } from '../../bus/service.ts';
import { subject } from '../../bus/subjects.ts';
import { PROCESS_STATUSES } from '../../domain/process-control/config.ts';

const name = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** What a signed-in operator may ask for. */
export const controlAction = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('status'), process: name, status: z.enum(PROCESS_STATUSES) }),
  z.strictObject({ action: z.literal('finish'), process: name }),
  z.strictObject({ action: z.literal('lock'), instrument_code: name, locked: z.boolean() }),
  z.strictObject({
    action: z.literal('trade_limit'),
    instrument_code: name,
    strategy_name: name.optional(),
    period_days: z.number().int().min(1).max(3650),
    trade_limit: z.number().int().min(0).max(1e9),
  }),
]);
export type ControlAction = z.infer<typeof controlAction>;

export interface MonitorControls {
  /** Is this the operator's token (compared in constant time)? */
  verify(token: string): boolean;
  run(a: ControlAction): Promise<unknown>;
}

export function natsMonitorControls(nc: NatsConnection, prefix: string, token: string): MonitorControls {
  const expected = Buffer.from(token);
  return {
    verify(given) {
      const b = Buffer.from(given);
      return token.length > 0 && b.length === expected.length && timingSafeEqual(b, expected);
    },
    run(a) {
      switch (a.action) {
        case 'status':
          return callService(nc, subject(prefix, 'control', 'process', CONTROL_ENDPOINTS.setStatus), {
            process: a.process,
            status: a.status,
          });
        case 'finish':
          return callService(nc, subject(prefix, 'control', 'process', CONTROL_ENDPOINTS.markFinished), {
            process: a.process,
          });
        case 'lock':
          return callService(nc, subject(prefix, 'orders', 'lock', 'instrument'), {
            instrument_code: a.instrument_code,
            locked: a.locked,
          });
        case 'trade_limit': {
          // The trade-limits service (hosted by the stack handler) checks the names and stores it.
          const { action, ...limit } = a;
          void action;
          return callService(nc, subject(prefix, 'control', 'trade_limits', 'set'), limit);
        }
      }
    },
  };
}

/** Signed-in browser sessions: random ids in an HttpOnly, SameSite=Strict cookie (`SESSION_COOKIE`). */
export class OperatorSessions {
  private readonly ids = new Map<string, number>();
  constructor(private readonly ttlMs = 12 * 3600_000) {}

  open(now = Date.now()): string {
    const id = randomBytes(24).toString('base64url');
    this.ids.set(id, now + this.ttlMs);
    return id;
  }

  /** Is `id` (the session cookie's value) a session that has not expired? */
  valid(id: string | undefined, now = Date.now()): boolean {
    const until = id ? this.ids.get(id) : undefined;
    if (until === undefined) return false;
    if (until < now) {
      this.ids.delete(id!);
      return false;
    }
    return true;
  }

  close(id: string | undefined): void {
    if (id) this.ids.delete(id);
  }
}

export const SESSION_COOKIE = 'systack_operator';
