/**
 * The strategy side's NATS endpoints in one call: capital (`<prefix>.capital.*`), controls
 * (`<prefix>.control.*`) and read access to stored optimal positions and diagnostics
 * (`<prefix>.strategy.positions`, `<prefix>.strategy.diagnostics`). The supervisor (or
 * `systack start`) calls `startStrategyServices` once per system.
 */
import type { Service } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { endpoint, ErrorCodes, ServiceError, startService } from '../src/bus/service.ts';
import { subject } from '../src/bus/subjects.ts';
import { nameSchema } from '../src/bus/schemas/names.ts';
import { startCapitalService } from './capital-service.ts';
import { startControlsService } from './controls-service.ts';
import type { StrategyRuntime } from './strategy-runtime.ts';
import { storedNames } from './universe.ts';

const strategyName = nameSchema(/^[-_=a-zA-Z0-9]+$/, 'letters, digits, -, _ or =');

export async function startStrategyQueryService(
  nc: NatsConnection,
  prefix: string,
  rt: StrategyRuntime,
): Promise<Service> {
  const known = () => Object.keys(rt.systemConfigs);
  const check = (s: string) => {
    if (!known().includes(s)) throw new ServiceError(ErrorCodes.notFound, `unknown strategy ${s}`);
  };
  return startService(nc, {
    name: 'strategies',
    version: '1.0.0',
    description: 'Stored optimal positions and system diagnostics per strategy',
    endpoints: [
      endpoint({
        name: 'positions',
        subject: subject(prefix, 'strategy', 'positions'),
        description: 'optimal positions (lower, upper, reference price and contract) of a strategy',
        schema: z.strictObject({ strategy_name: strategyName }),
        handler: async (r) => {
          check(r.strategy_name);
          return rt.strategies.getOptimalPositions(r.strategy_name);
        },
      }),
      endpoint({
        name: 'diagnostics',
        subject: subject(prefix, 'strategy', 'diagnostics'),
        description: "the last system run's intermediate series for one instrument",
        schema: z.strictObject({ strategy_name: strategyName, instrument_code: z.string().min(1) }),
        handler: async (r) => {
          check(r.strategy_name);
          const d = await rt.strategies.getDiagnostics(r.strategy_name);
          const series = d?.instruments[r.instrument_code];
          if (!d || !series)
            throw new ServiceError(
              ErrorCodes.notFound,
              `no diagnostics for ${r.strategy_name} / ${r.instrument_code}: run the system first`,
            );
          return {
            strategy_name: d.strategy_name,
            created: d.created,
            capital: d.capital,
            dates: d.dates,
            series,
          };
        },
      }),
    ],
  });
}

export async function startStrategyServices(
  nc: NatsConnection,
  prefix: string,
  rt: StrategyRuntime,
): Promise<Service[]> {
  return [
    await startCapitalService(nc, prefix, rt.capital),
    await startControlsService(
      nc,
      prefix,
      rt.controls,
      await storedNames(nc, prefix, Object.keys(rt.systemConfigs)),
    ),
    await startStrategyQueryService(nc, prefix, rt),
  ];
}
