/** One benchmark figure, printed as a single JSON line (the format the brief fixes). */
export interface Figure {
  readonly bench: string;
  readonly value: number;
  readonly unit: string;
  readonly baseline: number;
  /** value against baseline, oriented so that higher is better. */
  readonly ratio: number;
  readonly target: number;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

export function report(f: Figure): void {
  console.log(
    JSON.stringify({
      bench: f.bench,
      value: round(f.value),
      unit: f.unit,
      baseline: round(f.baseline),
      ratio: round(f.ratio),
      target: f.target,
    }),
  );
}

export function note(message: string): void {
  console.error(`# ${message}`);
}

/** Wall time of an async function, in seconds. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, result };
}

export interface Suite {
  run(args: readonly string[]): Promise<void>;
}
