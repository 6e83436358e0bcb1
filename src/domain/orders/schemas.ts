/**
 * zod schemas of the order value types and fills, for hosts to validate what they receive before
 * starting or stepping an order machine ("a bad input gets a clear error and changes nothing").
 * The machines themselves trust their input and events.
 */
import { z } from 'zod';
import { BROKER_ORDER_TYPES, CONTRACT_ORDER_TYPES, INSTRUMENT_ORDER_TYPES } from './order-types.ts';
import { contractDateProblem } from './request-rules.ts';

const legs = z.array(z.number().int()).min(1, 'needs at least one leg');
const epochMs = z.number().finite();
const price = z.number().finite();
/** One contract date rule for every order input: `contractDateProblem` (request-rules.ts). */
const contractDate = z.string().superRefine((s, ctx) => {
  const problem = contractDateProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: `contract date ${problem}` });
});

const base = {
  orderId: z.string().min(1),
  parentId: z.string().min(1).nullable(),
  strategyName: z.string().min(1),
  instrumentCode: z.string().min(1),
  trade: legs,
  generatedDatetime: epochMs,
  manualTrade: z.boolean(),
  rollOrder: z.boolean(),
};

export const instrumentOrderFieldsSchema = z.object({
  ...base,
  trade: legs.length(1, 'an instrument order has a single leg (digest §1.1)'),
  orderType: z.enum(INSTRUMENT_ORDER_TYPES),
  limitPrice: price.nullable(),
  limitContract: contractDate.nullable(),
  referencePrice: price.nullable(),
  referenceContract: z.string().nullable(),
  referenceDatetime: epochMs.nullable(),
});

const withContractDates = <T extends { trade: number[]; contractDates: string[] }>(
  o: T,
  ctx: z.RefinementCtx,
) => {
  if (o.contractDates.length !== o.trade.length) {
    ctx.addIssue({ code: 'custom', path: ['contractDates'], message: 'one contract date per trade leg' });
  }
  if (o.contractDates.some((d, i) => i > 0 && d <= (o.contractDates[i - 1] ?? ''))) {
    ctx.addIssue({
      code: 'custom',
      path: ['contractDates'],
      message: 'legs must be sorted by contract date',
    });
  }
};

export const contractOrderFieldsSchema = z
  .object({
    ...base,
    trade: legs.max(2, 'a contract order has one or two legs'),
    contractDates: z.array(contractDate),
    orderType: z.enum(CONTRACT_ORDER_TYPES),
    algoToUse: z.string(),
    referencePrice: price.nullable(),
    limitPrice: price.nullable(),
    manualFill: z.boolean(),
    calendarSpreadOrder: z.boolean(),
    interSpreadOrder: z.boolean(),
  })
  .superRefine(withContractDates);

export const brokerOrderFieldsSchema = z
  .object({
    ...base,
    trade: legs.max(2, 'a broker order has one or two legs'),
    contractDates: z.array(contractDate),
    orderType: z.enum(BROKER_ORDER_TYPES),
    algoUsed: z.string(),
    limitPrice: price.nullable(),
    sidePrice: price.nullable(),
    midPrice: price.nullable(),
    offsidePrice: price.nullable(),
    manualFill: z.boolean(),
    calendarSpreadOrder: z.boolean(),
    broker: z.string().min(1),
    brokerAccount: z.string(),
    brokerClientId: z.number().int(),
    orderRef: z.string().min(1),
  })
  .superRefine(withContractDates);

export const fillSchema = z.object({
  fillId: z.string().min(1),
  qty: legs.refine((q) => q.some((v) => v !== 0), 'a fill has a non-zero quantity'),
  price,
  legPrices: z.array(price).optional(),
  datetime: epochMs,
  commission: z.number().finite().optional(),
});

/** Parse or throw an Error naming each bad field, e.g. "trade: an instrument order has a single leg". */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const detail = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new Error(`invalid ${what}: ${detail}`);
}
