import type { Service, ServiceMsg } from '@nats-io/services';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import type { z } from 'zod';

/**
 * Command endpoints over NATS, registered with the NATS micro-services protocol (so
 * `nats micro ls` finds them and `nats req` drives them). Bodies are JSON, validated with zod at
 * the edge. A reply is `{ ok: true, result }`, or an error with the headers
 * `Nats-Service-Error-Code` / `Nats-Service-Error` and the body `{ ok: false, error }`.
 * A malformed or invalid request never reaches the handler, so it changes nothing.
 */

export const ErrorCodes = {
  badRequest: 400,
  notFound: 404,
  conflict: 409,
  unprocessable: 422,
  internal: 500,
} as const;

/** An error a handler throws to reply with a code (anything else replies 500). */
export class ServiceError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface EndpointSpec<S extends z.ZodType = z.ZodType, R = unknown> {
  /** Endpoint name: a simple subject token. */
  name: string;
  /** Full subject the endpoint listens on. */
  subject: string;
  description: string;
  schema: S;
  handler: (request: z.infer<S>, msg: Msg) => Promise<R> | R;
}

export interface ServiceSpec {
  name: string;
  version: string;
  description: string;
  /** Build each with `endpoint(...)` so requests of different types share one list. */
  endpoints: EndpointSpec[];
}

/** Declare an endpoint; the handler receives the request as its schema parsed it. */
export function endpoint<S extends z.ZodType, R>(spec: EndpointSpec<S, R>): EndpointSpec {
  return { ...spec, handler: (request, msg) => spec.handler(request as z.infer<S>, msg) };
}

export type Reply<R> =
  { ok: true; result: R } | { ok: false; error: { code: number; message: string; details?: unknown } };

function describeZod(err: z.ZodError): string {
  const i = err.issues[0];
  if (!i) return 'invalid request';
  const path = i.path.map(String).join('.');
  return path ? `${path}: ${i.message}` : i.message;
}

function respondError(msg: ServiceMsg, code: number, message: string, details?: unknown): void {
  const body: Reply<never> = {
    ok: false,
    error: { code, message, ...(details !== undefined ? { details } : {}) },
  };
  msg.respondError(code, message.replace(/[\r\n]+/g, ' ').slice(0, 200), JSON.stringify(body));
}

async function handle(spec: EndpointSpec, msg: ServiceMsg, onError?: (err: unknown) => void): Promise<void> {
  let raw: unknown;
  try {
    raw = msg.data.length === 0 ? {} : JSON.parse(msg.string());
  } catch {
    return respondError(msg, ErrorCodes.badRequest, 'request body is not valid JSON');
  }
  const parsed = spec.schema.safeParse(raw);
  if (!parsed.success) return respondError(msg, ErrorCodes.badRequest, describeZod(parsed.error));
  try {
    const result = await spec.handler(parsed.data, msg);
    msg.respond(JSON.stringify({ ok: true, result: result ?? null }));
  } catch (err) {
    if (err instanceof ServiceError) return respondError(msg, err.code, err.message, err.details);
    onError?.(err);
    respondError(msg, ErrorCodes.internal, err instanceof Error ? err.message : String(err));
  }
}

/**
 * Register a micro-service with its endpoints. Stop it with `service.stop()`. The services
 * client is loaded here, so a process that only calls services (a CLI query) does not load it.
 */
export async function startService(
  nc: NatsConnection,
  spec: ServiceSpec,
  onError?: (err: unknown) => void,
): Promise<Service> {
  const { addService } = await import('./svcm.ts');
  const svc = await addService(nc, {
    name: spec.name,
    version: spec.version,
    description: spec.description,
  });
  for (const ep of spec.endpoints) {
    svc.addEndpoint(ep.name, {
      subject: ep.subject,
      metadata: { description: ep.description },
      handler: (err, msg) => {
        if (err) {
          onError?.(err);
          return;
        }
        void handle(ep, msg, onError);
      },
    });
  }
  return svc;
}

/** Call an endpoint; returns the result or throws a ServiceError with the reply's code. */
export async function callService<R>(
  nc: NatsConnection,
  subject: string,
  body: unknown,
  timeoutMs = 10_000,
): Promise<R> {
  const reply = await nc.request(subject, JSON.stringify(body ?? {}), { timeout: timeoutMs });
  const parsed = reply.json<Reply<R>>();
  if (parsed.ok) return parsed.result;
  throw new ServiceError(parsed.error.code, parsed.error.message, parsed.error.details);
}
