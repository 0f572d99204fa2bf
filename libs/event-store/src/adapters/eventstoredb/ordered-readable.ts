import type { Readable } from 'node:stream';

/**
 * Iterates an object-mode Readable with bounded read-ahead, and can end the iteration right
 * after the items already produced at some moment — "stop after everything received so far".
 *
 * Why: EventStoreDB signals "caught up" (and filtered checkpoints) as side events emitted
 * while its messages are transformed, in order, but the items before the signal may still
 * sit in the stream's buffer. `endAfterProduced()` counts them (`readableLength`) and ends
 * the iteration after exactly those, never before (no event lost) and never after (no wait
 * for events that will not come).
 */
export class OrderedReadable<T> implements AsyncIterable<T> {
  private readonly queue: T[] = [];
  private endAfter: number | null = null;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly source: Readable,
    private readonly highWater = 64,
  ) {
    source.on('data', (item: T) => {
      if (this.ended) return;
      this.queue.push(item);
      if (this.endAfter !== null && --this.endAfter <= 0) this.end();
      if (this.queue.length >= this.highWater) source.pause();
      this.signal();
    });
    source.on('end', () => this.end());
    source.on('close', () => this.end());
    source.on('error', (err: Error) => {
      this.failure ??= err;
      this.end();
    });
  }

  /** Ends the iteration after the items the source has produced so far. Idempotent (first call wins). */
  endAfterProduced(): void {
    if (this.ended || this.endAfter !== null) return;
    const pending = this.source.readableLength;
    if (pending <= 0) this.end();
    else this.endAfter = pending;
  }

  /** Ends the iteration now (queued items are still delivered). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.signal();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.queue.shift();
      if (item !== undefined) {
        if (this.queue.length < this.highWater / 2 && this.source.isPaused() && !this.ended) this.source.resume();
        yield item;
        continue;
      }
      if (this.ended) {
        if (this.failure) throw this.failure;
        return;
      }
      if (this.source.isPaused()) this.source.resume();
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private signal(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }
}
