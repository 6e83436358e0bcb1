import { z } from 'zod';
import { contractDateProblem } from '../../domain/orders/request-rules.ts';
import { nameSchema } from './names.ts';

/**
 * JSON bodies of the order stack services (`<prefix>.orders.*`), validated at the edge: names
 * that are not reserved, quantities that are safe integers, prices that are positive and finite,
 * contract dates that are real months. What needs the system's data (known instruments and
 * strategies, position limits) is checked next, by `actors/stack/request-checks.ts`.
 */
const name = nameSchema(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only');
const qty = z
  .number()
  .int()
  .refine((n) => n !== 0, 'must be non-zero');
const id = z.number().int().positive();
const level = z.enum(['instrument', 'contract', 'broker']);
const contractDate = z.string().superRefine((s, ctx) => {
  const problem = contractDateProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: `contract date '${s}' ${problem}` });
});
const price = z.number().finite().positive();

export const instrumentOrderTypes = ['best', 'market', 'limit', 'panic'] as const;

export const createInstrumentOrderBody = z
  .object({
    strategy_name: name,
    instrument_code: name,
    // Zero is allowed (B1 zero orders): netting on insert (B5) turns it into the residual that
    // cancels unfilled orders of the same key, or refuses it (409) when there is nothing to net.
    trade: z.number().int(),
    order_type: z.enum(instrumentOrderTypes).optional(),
    reference_price: price.optional(),
    reference_contract: contractDate.optional(),
    reference_datetime: z.union([z.number().int(), z.string().datetime()]).optional(),
    limit_price: price.optional(),
    limit_contract: contractDate.optional(),
  })
  .strict()
  .refine((b) => b.order_type !== 'limit' || b.limit_price !== undefined, 'a limit order needs limit_price');

export const viewStackBody = z.object({ active_only: z.boolean().optional() }).strict();
export const viewOrderBody = z.object({ level, order_id: id }).strict();
export const emptyBody = z.object({}).strict();
export const manualFillBody = z.object({ order_id: id, price, qty: qty.optional() }).strict();
export const balanceTradeBody = z
  .object({
    strategy_name: name,
    instrument_code: name,
    contract_date: contractDate,
    qty,
    price,
    request_id: name,
  })
  .strict();
export const balanceInstrumentTradeBody = z
  .object({ strategy_name: name, instrument_code: name, qty, price, request_id: name })
  .strict();
export const orderIdBody = z.object({ order_id: id }).strict();
export const lockOrderBody = z.object({ level, order_id: id, locked: z.boolean() }).strict();
/** `reason` (a manual lock's why, shown with the lock) only with `locked: true`. */
export const lockInstrumentBody = z
  .object({
    instrument_code: name,
    locked: z.boolean(),
    reason: z
      .string()
      .trim()
      .min(1, 'reason must not be empty')
      .max(200, 'reason: at most 200 characters')
      .optional(),
  })
  .strict()
  .refine((b) => b.locked || b.reason === undefined, {
    message: 'reason is only for locking',
    path: ['reason'],
  });
export const deleteOrderBody = z.object({ level, order_id: id }).strict();
export const deleteStackBody = z.object({ confirm: z.literal('DELETE ALL ORDERS') }).strict();
/** End of day cancels live broker orders: it needs this explicit body, never an empty one. */
import { EOD_CONFIRM } from './confirm.ts';
export { EOD_CONFIRM };
export const eodBody = z.object({ confirm: z.literal(EOD_CONFIRM) }).strict();

export type CreateInstrumentOrderBody = z.infer<typeof createInstrumentOrderBody>;
