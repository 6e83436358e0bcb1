import { type Service, type ServiceConfig, Svcm } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Add a NATS micro-service (the services client). Its own module, imported by `startService`
 * when a process serves endpoints, so a process that only calls them (a CLI query) never loads
 * the services client.
 */
export function addService(nc: NatsConnection, config: ServiceConfig): Promise<Service> {
  return new Svcm(nc).add(config);
}
