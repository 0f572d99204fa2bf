import { createHash } from 'node:crypto';

/**
 * Runs a sweep every `intervalMs` (default 60 s) from `start` until `stop`, one at a time: the
 * next tick is scheduled when the sweep in hand ends, so a slow sweep never overlaps the next.
 * A failed sweep is retried next tick; `lastError` says why (cleared by a sweep that ran, i.e.
 * resolved to something other than null). Shared by the churn and segment sweepers.
 */
export class PeriodicSweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  lastError: string | null = null;

  constructor(
    private readonly sweep: () => Promise<unknown>,
    private readonly intervalMs = 60_000,
  ) {}

  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      this.running = this.sweep()
        .then((r) => {
          if (r !== null) this.lastError = null;
        })
        .catch((e: unknown) => {
          this.lastError = e instanceof Error ? e.message : String(e);
        })
        .finally(() => {
          this.running = undefined;
          if (this.timer) {
            this.timer = setTimeout(tick, this.intervalMs);
            this.timer.unref();
          }
        });
    };
    this.timer = setTimeout(tick, this.intervalMs);
    this.timer.unref();
  }

  /** Stops the ticks and waits for the sweep in hand. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

/**
 * A short fingerprint of what a clock sweeper evaluates with (thresholds, definitions, domain
 * configuration): a per-customer sweep deadline holds only under the fingerprint it was computed with.
 */
export const sweepRulesFingerprint = (rules: unknown): string => createHash('sha256').update(JSON.stringify(rules)).digest('base64url').slice(0, 22);
