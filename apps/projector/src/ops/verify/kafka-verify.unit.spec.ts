import type { BatchHandler, ConsumerEvent, ConsumerOptions, IncomingMessage, MessageConsumer, MessageConsumerFactory, PartitionLag, TopicAdmin } from '@c360/messaging';
import { identifyRecord, KafkaVerifier, type IngestorAccounts } from './kafka-verify';

const T = 'raw';
const id = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const message = (partition: number, offset: number, eventId: string | null, customer = `C${offset}`): IncomingMessage => ({
  topic: T,
  partition,
  offset: String(offset),
  key: Buffer.from(`customer:${customer}`),
  value: eventId ? Buffer.from(JSON.stringify({ eventId, customerId: customer })) : Buffer.from([0xff, 0x00]),
  headers: {},
  timestamp: 0,
});

/** A broker in memory: per partition a log; the consumer delivers it in batches (the last one twice: a redelivery). */
function fakeKafka(logs: Map<number, IncomingMessage[]>, hw: Map<number, number>, ingestorCommitted: Map<number, number>) {
  const admin: TopicAdmin = {
    ensureTopics: () => Promise.resolve(),
    groupLag: (groupId): Promise<PartitionLag[]> =>
      Promise.resolve(
        [...hw].map(([partition, high]) => {
          const committed = groupId.endsWith('.ingestor') ? (ingestorCommitted.get(partition) ?? 0) : 0;
          return { topic: T, partition, committed: String(committed), highWatermark: String(high), lag: high - committed };
        }),
      ),
    close: () => Promise.resolve(),
  };
  const consumers: MessageConsumerFactory = {
    create(options: ConsumerOptions): MessageConsumer {
      const listeners = new Set<(e: ConsumerEvent) => void>();
      const handler: BatchHandler = options.handler;
      const ctx = { signal: new AbortController().signal, attempt: 1, ack: () => undefined };
      return {
        async start() {
          listeners.forEach((l) => l({ type: 'assigned', partitions: [...logs.keys()].map((partition) => ({ topic: T, partition })) }));
          setImmediate(() => {
            void (async () => {
              for (const [partition, log] of logs) {
                const size = options.maxBatchSize ?? 500;
                for (let i = 0; i < log.length; i += size) await handler({ topic: T, partition, messages: log.slice(i, i + size) }, ctx);
                if (log.length > 0) await handler({ topic: T, partition, messages: log.slice(-1) }, { ...ctx, attempt: 2 });
              }
            })();
          });
          return Promise.resolve();
        },
        stop: () => Promise.resolve(),
        pause: () => undefined,
        resume: () => undefined,
        health: () => ({ state: 'running', healthy: true, assigned: [], stalledPartitions: [], restarts: 0 }),
        lag: () => Promise.resolve([]),
        onEvent(l) {
          listeners.add(l);
          return () => listeners.delete(l);
        },
      };
    },
  };
  return { admin, consumers };
}

describe('KafkaVerifier', () => {
  it('checks ids in chunks, counts stored / dead-lettered / parked, ignores what is past the high-water mark and redeliveries, keeps a bounded list of findings', async () => {
    const logs = new Map<number, IncomingMessage[]>([
      [0, Array.from({ length: 25 }, (_, i) => message(0, i, id(i)))],
      [1, [message(1, 0, null), message(1, 1, id(100)), message(1, 2, id(101)), message(1, 3, id(102))]],
    ]);
    // Partition 0: offsets 20..24 are not stored; the ingestor committed up to 22 → 20, 21 missing; 22..24 not ingested.
    // Partition 1: offset 3 arrived after verify started (hw 3): not checked.
    const hw = new Map([[0, 25], [1, 3]]);
    const stored = new Set([...Array.from({ length: 20 }, (_, i) => id(i)), id(100)]);
    const lookups: number[] = [];
    const accounts: IngestorAccounts = {
      deadLettered: (_topic, records) => Promise.resolve(new Set(records.filter((r) => r.partition === 1 && r.offset === '0').map((r) => r.key))),
      parked: (ids) => Promise.resolve(new Set(ids.filter((x) => x === id(101)))),
    };
    const { admin, consumers } = fakeKafka(logs, hw, new Map([[0, 22], [1, 3]]));
    const verifier = new KafkaVerifier({
      admin,
      consumers,
      store: {
        storedIds: (ids) => {
          lookups.push(ids.length);
          return Promise.resolve(new Set(ids.filter((x) => stored.has(x))));
        },
      },
      accounts,
      topics: [T],
      ingestorGroupId: 'c360.ingestor',
      groupPrefix: 'c360',
    });
    const r = await verifier.verify({ chunkSize: 10, maxFindings: 4, settleMs: 0, idleMs: 200 });
    expect(Math.max(...lookups)).toBeLessThanOrEqual(10);
    expect(r).toMatchObject({ records: 28, stored: 21, deadLettered: 1, pending: 1, findingsTotal: 5, complete: true });
    expect(r.findings.map((f) => `${f.partition}@${f.offset}:${f.problem}:${f.customerId}`)).toEqual(['0@20:missing:C20', '0@21:missing:C21', '0@22:not-ingested:C22', '0@23:not-ingested:C23']);
    expect(r.partitions).toEqual([
      { topic: T, partition: 0, from: '0', to: '25', ingestorCommitted: '22', complete: true },
      { topic: T, partition: 1, from: '0', to: '3', ingestorCommitted: '3', complete: true },
    ]);
  });

  it('says incomplete when a partition cannot be read to its mark (nothing arrives for idleMs)', async () => {
    const { admin, consumers } = fakeKafka(new Map([[0, [message(0, 0, id(1))]]]), new Map([[0, 5]]), new Map());
    const verifier = new KafkaVerifier({ admin, consumers, store: { storedIds: (ids) => Promise.resolve(new Set(ids)) }, accounts: { deadLettered: () => Promise.resolve(new Set()), parked: () => Promise.resolve(new Set()) }, topics: [T], ingestorGroupId: 'g.ingestor', groupPrefix: 'g' });
    const r = await verifier.verify({ settleMs: 0, idleMs: 300 });
    expect(r).toMatchObject({ complete: false, records: 1, stored: 1, findingsTotal: 0 });
    expect(r.partitions[0]?.complete).toBe(false);
  });

  it('identifies a record by the gateway headers, else the JSON envelope; no id for garbage or a non-UUID', () => {
    const withHeaders: IncomingMessage = { ...message(0, 0, null), headers: { 'c360-event-id': Buffer.from(id(7).toUpperCase()) } };
    expect(identifyRecord(withHeaders)).toEqual({ eventId: id(7), customerId: 'C0' });
    expect(identifyRecord(message(0, 1, id(8), 'X9'))).toEqual({ eventId: id(8), customerId: 'X9' });
    expect(identifyRecord({ ...message(0, 2, null), key: null })).toEqual({ eventId: null, customerId: null });
    expect(identifyRecord({ ...message(0, 3, null), value: Buffer.from('{"eventId":"not-a-uuid","customerId":"C5"}') })).toEqual({ eventId: null, customerId: 'C3' });
  });
});
