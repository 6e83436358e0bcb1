import type { z } from 'zod';
import { UsageError } from './output.ts';

/** Check a command's input against the service's own schema; the first issue becomes a usage error naming its field. */
export function parseInput<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UsageError(i ? `${i.path.join('.') || 'input'}: ${i.message}` : 'invalid input');
  }
  return r.data;
}
