import type { IncomingMessage } from '../ports/message';
import { chunkEnd, runPartitionBatch, type LaneOptions } from './partition-lane';

/** Messages at offsets 10… in producer batches of the given sizes (undefined: the transport does not say). */
const sends = (sizes: readonly number[], known = true): IncomingMessage[] => {
  const out: IncomingMessage[] = [];
  let offset = 10;
  for (const n of sizes) {
    const last = String(offset + n - 1);
    for (let i = 0; i < n; i++, offset++)
      out.push({ topic: 't', partition: 0, offset: String(offset), key: null, value: Buffer.from(String(offset)), headers: {}, timestamp: 0, ...(known ? { producerBatchLastOffset: last } : {}) });
  }
  return out;
};

describe('chunkEnd: handler chunks never split a producer batch', () => {
  it('extends a chunk to the end of the send its last message belongs to', () => {
    const m = sends([2, 4, 1]);
    expect(chunkEnd(m, 0, 3)).toBe(6); // 10,11 | 12 … extended through 15
    expect(chunkEnd(m, 0, 2)).toBe(2); // ends exactly at a send's end
    expect(chunkEnd(m, 6, 3)).toBe(7);
    expect(chunkEnd(m, 2, 1)).toBe(6);
  });

  it('cuts at maxBatchSize when the transport does not know the batches', () => {
    expect(chunkEnd(sends([2, 4, 1], false), 0, 3)).toBe(3);
  });

  it('a fetch that starts mid-send (after an earlier partial commit) still ends at the send end', () => {
    const m = sends([5]).slice(2); // offsets 12..14 of a send 10..14
    expect(chunkEnd(m, 0, 1)).toBe(3);
  });
});

describe('runPartitionBatch commits only at producer-batch boundaries', () => {
  it('hands the handler whole sends and commits after each', async () => {
    const chunks: string[][] = [];
    const commits: string[] = [];
    const options: LaneOptions = {
      handler: async (batch) => {
        chunks.push(batch.messages.map((x) => x.offset));
      },
      maxBatchSize: 3,
      handlerTimeoutMs: 5_000,
      retry: { initialBackoffMs: 1, maxBackoffMs: 1 },
      deadLetter: {},
      signal: new AbortController().signal,
      commit: async (next) => void commits.push(next),
      emit: () => undefined,
      onStall: () => undefined,
    };
    await expect(runPartitionBatch({ topic: 't', partition: 0, messages: sends([2, 4, 1, 3]) }, options)).resolves.toBe('done');
    expect(chunks).toEqual([
      ['10', '11', '12', '13', '14', '15'],
      ['16', '17', '18', '19'],
    ]);
    expect(commits).toEqual(['16', '20']);
  });
});
