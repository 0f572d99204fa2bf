/** Events per second over a sliding window of progress samples (for the rate and the ETA). */
export class ProgressMeter {
  private readonly samples: Array<{ at: number; value: number }> = [];

  constructor(private readonly windowMs = 5_000) {}

  sample(value: number, at = Date.now()): void {
    this.samples.push({ at, value });
    while (this.samples.length > 2 && (this.samples[0]?.at ?? at) < at - this.windowMs) this.samples.shift();
  }

  ratePerSecond(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at <= first.at) return 0;
    return Math.max(0, ((last.value - first.value) * 1000) / (last.at - first.at));
  }
}
