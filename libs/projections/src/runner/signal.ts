/** A re-armable wake-up: `wait()` resolves at the next `fire()`. */
export class Signal {
  private resolve: (() => void) | undefined;
  private promise: Promise<void> | undefined;

  wait(): Promise<void> {
    this.promise ??= new Promise<void>((r) => {
      this.resolve = r;
    });
    return this.promise;
  }

  fire(): void {
    const resolve = this.resolve;
    this.promise = undefined;
    this.resolve = undefined;
    resolve?.();
  }
}

/** Sleeps, or returns early when the signal fires (stop, pause). */
export async function sleepUnless(ms: number, signal: Signal): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((r) => {
      timer = setTimeout(r, ms);
    }),
    signal.wait(),
  ]);
  clearTimeout(timer);
}
