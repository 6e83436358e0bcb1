import type { NatsConnection } from '@nats-io/transport-node';
import { subject } from '../../src/bus/subjects.ts';

/**
 * What `<prefix>.inspect.order.<kind>.<id>` carries for every transition of a hosted actor: enough
 * for a live view of a family without reading anything else (docs/stack-handler.md "Inspection").
 */
export interface InspectEvent {
  kind: string;
  id: number;
  /** The family root: the instrument order id (the order itself at instrument level). */
  root: number | null;
  /** The event the actor took (a machine event type, or the host's CREATED / COMPLETED). */
  event: string;
  version: number;
  /** The machine state value after the event. */
  state: string;
  context: Record<string, unknown>;
  /** Clock time of the transition (the injected clock, epoch ms). */
  at: number;
}

/** What the host needs to publish inspection events (see OrderHost's options). */
export interface InspectOptions<T extends { level: string; id: number; version: number }> {
  nc?: NatsConnection;
  prefix: string;
  inspect?: boolean;
  /** The inspection view of a record (family root, state, context summary). */
  describe?: (r: T) => Pick<InspectEvent, 'root' | 'state' | 'context'>;
  /** The injected clock, for the inspection events' time. */
  now?: () => number;
}

/** Publish one change of a hosted actor on `<prefix>.inspect.order.<kind>.<id>` (when enabled). */
export function publishInspect<T extends { level: string; id: number; version: number }>(
  o: InspectOptions<T>,
  r: T,
  event: string,
): void {
  if (!o.nc || o.inspect === false) return;
  const d = o.describe?.(r) ?? { root: null, state: '', context: {} };
  const body: InspectEvent = {
    kind: r.level,
    id: r.id,
    root: d.root,
    event,
    version: r.version,
    state: d.state,
    context: d.context,
    at: o.now?.() ?? 0,
  };
  o.nc.publish(subject(o.prefix, 'inspect', 'order', r.level, String(r.id)), JSON.stringify(body));
}
