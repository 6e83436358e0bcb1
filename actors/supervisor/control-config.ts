/** The resolved control config (digest §4 P2) from the loaded configuration, in local time. */
import type { LoadedConfig } from '../../src/config/load.ts';
import { type ControlConfig, resolveControlConfig } from '../../src/domain/process-control/config.ts';

/** The machine's local zone ("local time" in the reference); TZ wins. */
export function localTimeZone(): string {
  return process.env.TZ || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function controlConfigOf(config: LoadedConfig): ControlConfig {
  return resolveControlConfig(config.control, { defaultTimeZone: localTimeZone() });
}
