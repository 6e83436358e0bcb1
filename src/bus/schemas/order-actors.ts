import { z } from 'zod';

/**
 * Messages to one order actor at its address `<prefix>.order.<kind>.<id>` (request/reply), from
 * any process: the typed events an order takes from outside the stack handler. Checked before
 * anything changes; the reply is `{kind, id, state}` or `{error, code}`.
 */
const execId = z.string().min(1).max(200);
const finite = z.number().finite();

export const orderActorMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('LOCK') }).strict(),
  z.object({ type: z.literal('UNLOCK') }).strict(),
  /** Broker order: a fill from the broker adapter (recorded once, then it travels up the family). */
  z
    .object({
      type: z.literal('FILL'),
      exec_id: execId,
      qty: z
        .number()
        .int()
        .refine((n) => n !== 0, 'must be non-zero'),
      price: finite,
      time: z.number().int().nonnegative(),
      commission: finite.optional(),
      commission_currency: z.string().max(10).optional(),
    })
    .strict(),
  /** Broker order: a commission reported after its fill, joined by execution id. */
  z
    .object({
      type: z.literal('COMMISSION'),
      exec_id: execId,
      commission: finite,
      currency: z.string().max(10),
    })
    .strict(),
  /** Contract order: release its algo lock (the controlling algo is done, or gone after a crash). */
  z.object({ type: z.literal('ALGO_RELEASE') }).strict(),
]);
export type OrderActorMessage = z.infer<typeof orderActorMessage>;
