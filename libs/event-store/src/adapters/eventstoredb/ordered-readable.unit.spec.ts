import { PassThrough } from 'node:stream';
import { OrderedReadable } from './ordered-readable';

async function take<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('OrderedReadable', () => {
  it('ends after exactly the items produced before the signal, even when they are still buffered', async () => {
    const source = new PassThrough({ objectMode: true, highWaterMark: 1000 });
    const ordered = new OrderedReadable<number>(source, 4); // pauses the source after 4 queued
    for (let i = 0; i < 10; i++) source.write(i);
    // Give the stream a turn so that it flows into the queue up to the high-water mark.
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(source.isPaused()).toBe(true);
    ordered.endAfterProduced(); // like "caughtUp" emitted in order after item 9
    for (let i = 10; i < 15; i++) source.write(i); // after the signal: must not be delivered
    await expect(take(ordered)).resolves.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('ends at once when nothing is pending, waking a waiting reader', async () => {
    const source = new PassThrough({ objectMode: true });
    const ordered = new OrderedReadable<number>(source);
    const result = take(ordered);
    source.write(1);
    await new Promise<void>((resolve) => setImmediate(resolve));
    ordered.endAfterProduced();
    await expect(result).resolves.toEqual([1]);
  });

  it('delivers the queued items, then the source error', async () => {
    const source = new PassThrough({ objectMode: true });
    const ordered = new OrderedReadable<number>(source);
    source.write(1);
    await new Promise<void>((resolve) => setImmediate(resolve));
    source.destroy(new Error('boom'));
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const x of ordered) seen.push(x);
      })(),
    ).rejects.toThrow('boom');
    expect(seen).toEqual([1]);
  });
});
