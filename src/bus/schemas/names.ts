import { z } from 'zod';
import { isReservedName } from '../../domain/orders/request-rules.ts';

/**
 * A name taken from a request (instrument, strategy): letters, digits and `_ . - =`, at most 100
 * characters, and never a reserved object property name (`__proto__`, `constructor`, ...).
 */
export function nameSchema(chars: RegExp = /^[A-Za-z0-9_.=-]+$/, what = 'letters, digits, _ . - = only') {
  return z
    .string()
    .min(1)
    .max(100)
    .regex(chars, what)
    .refine((s) => !isReservedName(s), { message: 'is a reserved name' });
}
