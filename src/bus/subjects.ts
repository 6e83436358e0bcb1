/** NATS subject names. Every subject starts with the configured prefix (default `systack`). */
export const DEFAULT_PREFIX = 'systack';

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** Join subject tokens after the prefix. Tokens may be `*` or `>` wildcards. */
export function subject(prefix: string, ...parts: string[]): string {
  for (const p of [prefix, ...parts]) {
    if (p !== '*' && p !== '>' && !p.split('.').every((t) => TOKEN.test(t))) {
      throw new Error(`invalid NATS subject token '${p}'`);
    }
  }
  return [prefix, ...parts].join('.');
}

/** A name usable as a JetStream stream / KV bucket name, derived from the prefix. */
export function streamName(prefix: string, name: string): string {
  return `${prefix}_${name}`.replace(/[^A-Za-z0-9_-]/g, '_').toUpperCase();
}
