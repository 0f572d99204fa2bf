import { createTopic, expectEventually, kafkaBrokers, uniqueTopic } from '@c360/testing';
import {
  KafkaConsumerFactory,
  KafkaPublisher,
  KafkaTopicAdmin,
  PoisonMessageError,
  TopicDeadLetterSink,
  decodeDeadLetter,
  isMessagingError,
  MessagingErrorCode,
  type BatchHandler,
  type ConsumerOptions,
  type IncomingMessage,
  type MessageConsumer,
} from '@c360/messaging';

// Real broker (scripts/kafka/kafka.sh, started by the jest globalSetup).
const quiet = (): void => undefined;
const text = (m: IncomingMessage): string => m.value?.toString('utf8') ?? '';

describe('kafkajs messaging adapter on the real broker', () => {
  const brokers = kafkaBrokers();
  const connection = { brokers, clientId: 'messaging-int', log: quiet };
  const publisher = new KafkaPublisher(connection);
  const admin = new KafkaTopicAdmin(connection);
  const consumers: MessageConsumer[] = [];
  const consume = (
    options: Partial<ConsumerOptions> & Pick<ConsumerOptions, 'topics' | 'handler'>,
  ): MessageConsumer => {
    const c = new KafkaConsumerFactory(connection).create({
      groupId: uniqueTopic('group'),
      sessionTimeoutMs: 10_000,
      retry: { initialBackoffMs: 20, maxBackoffMs: 200 },
      ...options,
    });
    consumers.push(c);
    return c;
  };
  const totalLag = async (groupId: string, topic: string): Promise<number> =>
    (await admin.groupLag(groupId, [topic])).reduce((n, l) => n + l.lag, 0);

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await publisher.close();
    await admin.close();
  });

  it('publishes a keyed batch (acked) and consumes it in per-key order', async () => {
    const topic = uniqueTopic('order');
    await createTopic(topic, 4);
    const keys = Array.from({ length: 16 }, (_, i) => `C${String(i).padStart(6, '0')}`);
    const perKey = 25;
    const partitionOfKey = new Map<string, number>();
    for (let seq = 0; seq < perKey; seq += 1) {
      const receipts = await publisher.publish(
        topic,
        keys.map((k) => ({
          key: k,
          value: JSON.stringify({ k, seq }),
          headers: { 'c360-seq': String(seq) },
        })),
      );
      expect(receipts.length).toBeGreaterThan(0);
    }
    const seen = new Map<string, number[]>();
    const c = consume({
      topics: [topic],
      handler: async (batch) => {
        for (const m of batch.messages) {
          const { k, seq } = JSON.parse(text(m)) as { k: string; seq: number };
          expect(m.key?.toString()).toBe(k);
          expect(m.headers['c360-seq']?.toString()).toBe(String(seq));
          const p = partitionOfKey.get(k) ?? m.partition;
          partitionOfKey.set(k, p);
          expect(m.partition).toBe(p); // one key, one partition
          seen.set(k, [...(seen.get(k) ?? []), seq]);
        }
      },
    });
    await c.start();
    await expectEventually(
      () => expect([...seen.values()].reduce((n, s) => n + s.length, 0)).toBe(keys.length * perKey),
      {
        timeoutMs: 60_000,
      },
    );
    for (const k of keys) expect(seen.get(k)).toEqual(Array.from({ length: perKey }, (_, i) => i));
    expect(new Set(partitionOfKey.values()).size).toBeGreaterThan(1); // keys really spread over partitions
    await expectEventually(async () =>
      expect(await c.lag()).toEqual(expect.arrayContaining([expect.objectContaining({ lag: 0 })])),
    );
    await expectEventually(
      async () => expect((await c.lag()).every((l) => l.lag === 0)).toBe(true),
      { timeoutMs: 20_000 },
    );
    expect(c.health()).toMatchObject({ state: 'running', healthy: true, restarts: 0 });
  });

  it('never commits inside one send: chunks end where a producer batch ends, whatever maxBatchSize says', async () => {
    const topic = uniqueTopic('sends');
    await createTopic(topic, 1);
    // Three sends of 5, 7 and 3 messages: three producer batches on the one partition.
    const sizes = [5, 7, 3];
    const receipts = [];
    for (const [s, n] of sizes.entries())
      receipts.push((await publisher.publish(topic, Array.from({ length: n }, (_, i) => ({ key: 'k', value: `${s}:${i}` }))))[0]);
    const firsts = receipts.map((r) => Number(r?.baseOffset));
    const chunks: Array<{ first: string; last: string; batchEnds: Array<string | undefined> }> = [];
    const commits: string[] = [];
    const c = consume({
      topics: [topic],
      maxBatchSize: 4,
      handler: async (batch) => {
        chunks.push({ first: batch.messages[0]?.offset ?? '', last: batch.messages.at(-1)?.offset ?? '', batchEnds: batch.messages.map((m) => m.producerBatchLastOffset) });
      },
    });
    c.onEvent((e) => e.type === 'committed' && commits.push(e.offset));
    await c.start();
    await expectEventually(() => expect(chunks.reduce((n, ch) => n + Number(ch.last) - Number(ch.first) + 1, 0)).toBe(15), { timeoutMs: 60_000 });
    // Each message knows where its send ends…
    const ends = sizes.map((n, s) => String((firsts[s] ?? 0) + n - 1));
    expect(chunks.flatMap((ch) => ch.batchEnds)).toEqual(sizes.flatMap((n, s) => Array.from({ length: n }, () => ends[s])));
    // …and every commit falls on a send's boundary (first offset of a send, or the end).
    const boundaries = new Set([...firsts.slice(1), (firsts[2] ?? 0) + 3].map(String));
    expect(commits.length).toBeGreaterThan(0);
    for (const o of commits) expect(boundaries).toContain(o);
  });

  it('commits only after the handler succeeded: a consumer closed mid-batch loses nothing', async () => {
    const topic = uniqueTopic('commit');
    await createTopic(topic, 1);
    const n = 40;
    // Eight sends of 5: chunks never split a send (see the test above), so each send is a chunk.
    for (let s = 0; s < n / 5; s++)
      await publisher.publish(
        topic,
        Array.from({ length: 5 }, (_, i) => ({ key: 'one-customer', value: String(s * 5 + i) })),
      );
    const groupId = uniqueTopic('group');

    // First member: handles 0..14 (three chunks of 5, each committed when its handler call
    // returned), then hangs on 15 (its downstream never answers).
    const handledByFirst: number[] = [];
    const first = consume({
      groupId,
      topics: [topic],
      maxBatchSize: 5,
      handler: async (batch, ctx) => {
        for (const m of batch.messages) {
          const i = Number(text(m));
          if (i === 15) {
            await new Promise((_, reject) =>
              ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))),
            );
          }
          handledByFirst.push(i);
        }
      },
    });
    await first.start();
    await expectEventually(() => expect(handledByFirst).toHaveLength(15), { timeoutMs: 30_000 });
    // Finished chunks are committed; the chunk with the hanging message is not, not even 15's
    // predecessors in it (none here) nor anything after it.
    await expectEventually(async () => expect(await totalLag(groupId, topic)).toBe(n - 15), {
      timeoutMs: 10_000,
    });
    await first.stop(); // the process goes away mid-batch

    const second: number[] = [];
    const next = consume({
      groupId,
      topics: [topic],
      handler: async (batch) => {
        second.push(...batch.messages.map((m) => Number(text(m))));
      },
    });
    await next.start();
    await expectEventually(
      () => expect(second).toEqual(Array.from({ length: n - 15 }, (_, i) => i + 15)),
      { timeoutMs: 60_000 },
    );
    await expectEventually(async () => expect(await totalLag(groupId, topic)).toBe(0), {
      timeoutMs: 10_000,
    });
  });

  it('redelivers from the first unacknowledged message when the handler fails', async () => {
    const topic = uniqueTopic('retry');
    await createTopic(topic, 1);
    await publisher.publish(
      topic,
      Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: String(i) })),
    );
    const deliveries: number[] = [];
    let failures = 0;
    const handler: BatchHandler = async (batch, ctx) => {
      for (const m of batch.messages) {
        const i = Number(text(m));
        deliveries.push(i);
        if (i === 6 && failures < 2) {
          failures += 1;
          throw new Error('transient');
        }
        ctx.ack(m);
      }
    };
    const c = consume({ topics: [topic], handler });
    await c.start();
    await expectEventually(() => expect(deliveries.filter((d) => d === 9)).toHaveLength(1), {
      timeoutMs: 30_000,
    });
    expect(deliveries).toEqual([0, 1, 2, 3, 4, 5, 6, 6, 6, 7, 8, 9]);
  });

  it('dead-letters poison whole to <topic>.dlq and the partition moves on', async () => {
    const topic = uniqueTopic('poison');
    await admin.ensureTopics([
      { name: topic, partitions: 2 },
      { name: `${topic}.dlq`, partitions: 1 },
    ]);
    const garbage = Buffer.from([0x00, 0xff, 0x80, 0x22]);
    await publisher.publish(topic, [
      { key: 'c1', value: 'good-1' },
      { key: 'c1', value: garbage, headers: { 'x-trace': 'abc' } },
      { key: 'c1', value: 'good-2' },
    ]);
    const good: string[] = [];
    const c = consume({
      topics: [topic],
      deadLetter: { sink: new TopicDeadLetterSink(publisher) },
      handler: async (batch) => {
        for (const m of batch.messages) {
          if (m.value?.equals(garbage))
            throw new PoisonMessageError(m, { code: 'UNDECODABLE', detail: 'not UTF-8 JSON' });
          good.push(text(m));
        }
      },
    });
    const dead: IncomingMessage[] = [];
    const reader = consume({
      topics: [`${topic}.dlq`],
      handler: async (b) => void dead.push(...b.messages),
    });
    await Promise.all([c.start(), reader.start()]);
    await expectEventually(() => expect(good).toEqual(['good-1', 'good-2']), { timeoutMs: 30_000 });
    await expectEventually(() => expect(dead).toHaveLength(1), { timeoutMs: 30_000 });
    const letter = decodeDeadLetter(dead[0] as IncomingMessage);
    expect(letter.reason.code).toBe('UNDECODABLE');
    expect(letter.original.value?.equals(garbage)).toBe(true);
    expect(letter.original.key?.toString()).toBe('c1');
    expect(letter.original.headers['x-trace']?.toString()).toBe('abc');
    expect(letter.original.topic).toBe(topic);
  });

  it('translates broker errors into coded errors (unknown topic: auto-creation is off)', async () => {
    const err: unknown = await publisher
      .publish(uniqueTopic('missing'), [{ key: 'k', value: 'v' }])
      .catch((e: unknown) => e);
    expect(isMessagingError(err)).toBe(true);
    expect(
      isMessagingError(err) &&
        [MessagingErrorCode.TopicNotFound, MessagingErrorCode.BrokerUnavailable].includes(err.code),
    ).toBe(true);
    // The publisher is still usable afterwards.
    const topic = uniqueTopic('after-error');
    await createTopic(topic, 1);
    await expect(publisher.publish(topic, [{ key: 'k', value: 'v' }])).resolves.toHaveLength(1);
  });
});
