/** Keys whose values are secrets: never logged, shown as [redacted] by `systack config show`. */
export const SECRET_KEYS = [
  'broker_account',
  'nats_pass',
  'nats_token',
  'mongo_pass',
  'email_pwd',
  'quandl_key',
  'barchart_key',
] as const;
