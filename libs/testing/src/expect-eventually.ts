export interface ExpectEventuallyOptions {
  /** Give up after this long and rethrow the assertion's last failure. Default 10 s. */
  readonly timeoutMs?: number;
  /** Pause between attempts. Default 25 ms. */
  readonly intervalMs?: number;
}

/**
 * Retries an assertion until it passes or the time is up, then rethrows its last failure:
 * eventually-consistent checks poll instead of sleeping a guessed amount.
 */
export async function expectEventually<T>(
  assertion: () => T | Promise<T>,
  options: ExpectEventuallyOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (e) {
      if (Date.now() >= deadline) throw e;
    }
    await new Promise<void>((resolve) => setTimeout(resolve, intervalMs));
  }
}
