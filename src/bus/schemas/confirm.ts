/** Words a person types to confirm an order-stack operation (no zod, for the CLI). */
export const EOD_CONFIRM = 'END OF DAY';
