/** A bad command line: printed as "c360: <message>" with exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE_EXIT_CODE = 2;
