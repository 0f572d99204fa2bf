import type { PartitionLag } from '@c360/messaging';
import { QueryApiError } from '../query-api.errors';
import { KafkaGroupProgress } from './kafka-group-progress';

const lag = (partition: number, committed: string): PartitionLag => ({ topic: 'events', partition, committed, highWatermark: '100', lag: 0 });

describe('KafkaGroupProgress', () => {
  const admin = (answers: Array<readonly PartitionLag[] | Error>) => {
    const calls: Array<{ groupId: string; topics: readonly string[] }> = [];
    return {
      calls,
      groupLag: async (groupId: string, topics: readonly string[]): Promise<readonly PartitionLag[]> => {
        calls.push({ groupId, topics });
        const next = answers.shift() ?? [];
        if (next instanceof Error) throw next;
        return next;
      },
      close: async (): Promise<void> => undefined,
    };
  };

  it('answers the group’s committed offset per partition from one shared, briefly cached fetch', async () => {
    let now = 1_000;
    const a = admin([[lag(0, '5'), lag(1, '9')], [lag(0, '7'), lag(1, '9')]]);
    const p = new KafkaGroupProgress(a, { groupId: 'c360.ingestor', topics: ['events'], cacheMs: 100, now: () => now });
    const [p0, p1] = await Promise.all([p.committedOffset('events', 0), p.committedOffset('events', 1)]);
    expect([p0, p1]).toEqual([5n, 9n]);
    expect(a.calls).toEqual([{ groupId: 'c360.ingestor', topics: ['events'] }]); // concurrent reads share one fetch
    now += 50;
    expect(await p.committedOffset('events', 0)).toBe(5n); // cached
    expect(a.calls).toHaveLength(1);
    now += 100;
    expect(await p.committedOffset('events', 0)).toBe(7n); // refreshed
    expect(await p.committedOffset('events', 2)).toBeNull(); // a partition the group does not know
  });

  it('refuses a topic other than the events topic (400), without asking the broker', async () => {
    const a = admin([]);
    const p = new KafkaGroupProgress(a, { groupId: 'g', topics: ['events'] });
    await expect(p.committedOffset('secrets', 0)).rejects.toBeInstanceOf(QueryApiError);
    expect(a.calls).toHaveLength(0);
  });

  it('a broker that cannot be asked counts as "not yet" (null), and is asked again next time', async () => {
    const a = admin([new Error('broker down'), [lag(0, '3')]]);
    const p = new KafkaGroupProgress(a, { groupId: 'g', topics: ['events'] });
    expect(await p.committedOffset('events', 0)).toBeNull();
    expect(await p.committedOffset('events', 0)).toBe(3n);
  });
});
