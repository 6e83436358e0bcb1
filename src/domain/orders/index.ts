/** Order and fill maths: value types and pure functions used by the order machines. */
export * from './execution.ts';
export * from './family.ts';
export * from './family-fills.ts';
export * from './fill.ts';
export * from './order-types.ts';
export * from './position-break.ts';
export * from './trade-qty.ts';
export * from './schemas.ts';
