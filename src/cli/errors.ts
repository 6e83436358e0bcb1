/** A usage error: bad flags or arguments. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = 2;
}

/** A failure of the command itself. Exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode = 1;
}
