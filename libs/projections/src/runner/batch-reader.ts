import type { RecordedEvent } from '@c360/event-store';
import type { Signal } from './signal';

export interface BatchLimits {
  /** Most events per transaction while live (and the first batch of a catch-up). */
  readonly maxSize: number;
  /**
   * Adaptive sizing: while catching up (each batch filled before the source ran dry) the next
   * batch doubles, up to this; once a batch drains, it drops back to `maxSize`. Bigger batches
   * amortise the per-batch statements and write a busy customer's row once for many events.
   * Default: `maxSize` (no growth).
   */
  readonly catchUpMaxSize?: number;
  /**
   * Growth also stops where a batch would hold about this many customers: a batch's memory is
   * its customers' rows (read, folded and written together), so with many distinct customers
   * per event a batch of catchUpMaxSize events could outgrow the heap. Default 2,000.
   */
  readonly catchUpMaxCustomers?: number;
  /** Longest wait, after a batch's first event, for more to fill it. */
  readonly maxLatencyMs: number;
  /**
   * The same wait while catching up (the last batch ended before the store's head). The next
   * batch is read while this one is applied, so a wait that ends before the apply does costs
   * nothing; cut at the live latency instead, a catch-up batch would hold only what arrived in
   * those few milliseconds (a page or two) and never grow. Default: 10 × `maxLatencyMs`.
   */
  readonly catchUpMaxLatencyMs?: number;
}

export interface ReadBatch {
  readonly events: RecordedEvent[];
  /** The source ran dry before the batch was full: the reader has caught up (live). */
  readonly drained: boolean;
  /** The source ended (subscription stopped). */
  readonly ended: boolean;
}

const TIMEOUT = Symbol('timeout');
const INTERRUPTED = Symbol('interrupted');

/**
 * Cuts an async iteration into batches by size and latency. A `next()` still pending when a
 * batch closes is kept for the following batch, so no event is lost between batches.
 */
export class BatchReader {
  private pending: Promise<IteratorResult<RecordedEvent>> | undefined;

  constructor(private readonly iterator: AsyncIterator<RecordedEvent>) {}

  /**
   * Waits for a first event (or the interrupt: then an empty batch), then adds whatever
   * arrives before the batch is full or its latency is spent.
   */
  async next(limits: BatchLimits, interrupt: Signal): Promise<ReadBatch> {
    const first = await Promise.race([this.pull(), interrupt.wait().then((): typeof INTERRUPTED => INTERRUPTED)]);
    if (first === INTERRUPTED) return { events: [], drained: true, ended: false };
    this.pending = undefined;
    if (first.done) return { events: [], drained: true, ended: true };
    const events = [first.value];
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMEOUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMEOUT), limits.maxLatencyMs);
    });
    try {
      while (events.length < limits.maxSize) {
        const result = await Promise.race([this.pull(), deadline]);
        if (result === TIMEOUT) return { events, drained: true, ended: false };
        this.pending = undefined;
        if (result.done) return { events, drained: true, ended: true };
        events.push(result.value);
      }
      return { events, drained: false, ended: false };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Drops a pending pull (after the subscription was stopped) without an unhandled rejection. */
  discard(): void {
    this.pending?.catch(() => undefined);
    this.pending = undefined;
  }

  private pull(): Promise<IteratorResult<RecordedEvent>> {
    this.pending ??= this.iterator.next();
    return this.pending;
  }
}
