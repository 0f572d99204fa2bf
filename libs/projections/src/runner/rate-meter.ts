/** Events per second over a sliding window of one-second buckets. */
export class RateMeter {
  private readonly buckets = new Map<number, number>();

  constructor(
    private readonly windowSeconds = 10,
    private readonly now: () => number = Date.now,
  ) {}

  add(count: number): void {
    const second = Math.floor(this.now() / 1000);
    this.buckets.set(second, (this.buckets.get(second) ?? 0) + count);
    this.prune(second);
  }

  perSecond(): number {
    const second = Math.floor(this.now() / 1000);
    this.prune(second);
    let total = 0;
    for (const count of this.buckets.values()) total += count;
    return Math.round((total / this.windowSeconds) * 10) / 10;
  }

  private prune(second: number): void {
    for (const key of this.buckets.keys()) if (key <= second - this.windowSeconds) this.buckets.delete(key);
  }
}
