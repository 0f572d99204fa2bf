import {
  createTopic,
  expectEventually,
  kafkaBrokers,
  startDedicatedBroker,
  uniqueTopic,
  type TestBroker,
} from '@c360/testing';
import {
  KafkaConsumerFactory,
  KafkaPublisher,
  KafkaTopicAdmin,
  isMessagingError,
  type ConsumerEvent,
  type IncomingMessage,
  type MessageConsumer,
} from '@c360/messaging';

// Fault tests from RELIABILITY.md on the real broker. F7 uses a broker of its own (it is
// stopped and started); F13 runs on the shared one.
const quiet = (): void => undefined;
/** Closed after each test even when it fails, so no client outlives its test file. */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
const text = (m: IncomingMessage): string => m.value?.toString('utf8') ?? '';

/** Collapses redeliveries: the first occurrence of each (key, seq), in arrival order. */
function firstSeenPerKey(
  arrivals: ReadonlyArray<{ key: string; seq: number }>,
): Map<string, number[]> {
  const seen = new Set<string>();
  const out = new Map<string, number[]>();
  for (const a of arrivals) {
    const id = `${a.key}:${a.seq}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.set(a.key, [...(out.get(a.key) ?? []), a.seq]);
  }
  return out;
}

describe('F7: broker restart under a running producer and consumer', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startDedicatedBroker();
  });
  afterAll(async () => {
    await broker.destroy();
  });

  it('both recover without a process restart: nothing acknowledged is lost, per-key order holds', async () => {
    const connection = { brokers: broker.brokers, clientId: 'f7', log: quiet };
    const topic = uniqueTopic('f7');
    await createTopic(topic, 3, broker.brokers);
    const publisher = new KafkaPublisher({ ...connection, ackTimeoutMs: 5000 });
    cleanups.push(() => publisher.close());
    const arrivals: Array<{ key: string; seq: number }> = [];
    const events: ConsumerEvent[] = [];
    const consumer: MessageConsumer = new KafkaConsumerFactory(connection).create({
      groupId: uniqueTopic('f7-group'),
      topics: [topic],
      sessionTimeoutMs: 6000,
      stallTimeoutMs: 8000,
      retry: { initialBackoffMs: 50, maxBackoffMs: 500 },
      handler: async (batch) => {
        for (const m of batch.messages) {
          const [key, seq] = text(m).split(':');
          arrivals.push({ key: key ?? '', seq: Number(seq) });
        }
      },
    });
    consumer.onEvent((e) => events.push(e));
    cleanups.push(() => consumer.stop());
    await consumer.start();

    // The producer loop: the caller retries a failed publish with the same content, as the
    // gateway does (it answers 202 only after the ack).
    const keys = ['A', 'B', 'C', 'D', 'E', 'F'];
    const acked = new Map<string, number>(keys.map((k) => [k, -1]));
    let publishFailures = 0;
    let stopProducing = false;
    const produce = (async () => {
      for (let seq = 0; !stopProducing; seq += 1) {
        for (;;) {
          try {
            await publisher.publish(
              topic,
              keys.map((k) => ({ key: k, value: `${k}:${seq}` })),
            );
            break;
          } catch (e) {
            expect(isMessagingError(e)).toBe(true);
            publishFailures += 1;
            await new Promise((r) => setTimeout(r, 200)); // retry pacing of the caller, not an assertion wait
          }
        }
        keys.forEach((k) => acked.set(k, seq));
      }
    })();

    await expectEventually(() => expect(arrivals.length).toBeGreaterThan(60), {
      timeoutMs: 30_000,
    });
    await broker.restart();
    const ackedAtRestart = acked.get('A') ?? -1;
    // Production resumes through the same publisher instance…
    await expectEventually(() => expect(acked.get('A')).toBeGreaterThan(ackedAtRestart + 20), {
      timeoutMs: 90_000,
      intervalMs: 200,
    });
    stopProducing = true;
    await produce;
    // …and the same consumer instance catches up with everything acknowledged.
    const lastAcked = acked.get('A') ?? -1;
    await expectEventually(
      () => {
        const perKey = firstSeenPerKey(arrivals);
        for (const k of keys)
          expect(perKey.get(k)).toEqual(Array.from({ length: lastAcked + 1 }, (_, i) => i));
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    await expectEventually(
      () => expect(consumer.health()).toMatchObject({ state: 'running', healthy: true }),
      { timeoutMs: 30_000 },
    );
    process.stderr.write(
      `F7: publish failures during restart ${publishFailures}, consumer restarts ${consumer.health().restarts}, ` +
        `deliveries ${arrivals.length} for ${(lastAcked + 1) * keys.length} messages\n`,
    );
  });
  it('a broker that stalls mid-send: every acknowledged message is in the log (no send takes a rolled-back sequence)', async () => {
    // kafkajs hands a failed request's sequence numbers back and retries later; a concurrent
    // send that took those numbers meanwhile was acknowledged as a "duplicate" of the earlier
    // request's content and silently dropped (seen once as 2 of 1,600 gateway events missing
    // after F7). The broker is frozen while sends of the same size to one partition are in
    // flight: each times out, and the frozen broker later reads all of them.
    const connection = { brokers: broker.brokers, clientId: 'f7-stall', log: quiet, requestTimeoutMs: 800 };
    const topic = uniqueTopic('f7-stall');
    await createTopic(topic, 1, broker.brokers);
    const publisher = new KafkaPublisher({ ...connection, ackTimeoutMs: 800 });
    cleanups.push(() => publisher.close());
    await publisher.publish(topic, [{ key: 'k', value: 'warm-up' }]);

    broker.freeze();
    let sends: Array<PromiseSettledResult<unknown>>;
    try {
      const pending = Array.from({ length: 8 }, (_, i) =>
        publisher.publish(topic, [
          { key: 'k', value: `s${i}-a` },
          { key: 'k', value: `s${i}-b` },
        ]),
      );
      await new Promise((r) => setTimeout(r, 2500)); // the stall: longer than the request timeout
      broker.thaw();
      sends = await Promise.allSettled(pending);
    } finally {
      broker.thaw();
    }
    const acked = sends.flatMap((r, i) => (r.status === 'fulfilled' ? [`s${i}-a`, `s${i}-b`] : []));
    for (const r of sends) if (r.status === 'rejected') expect(isMessagingError(r.reason)).toBe(true);

    // Read the whole partition back.
    const logged = new Set<string>();
    const consumer = new KafkaConsumerFactory(connection).create({
      groupId: uniqueTopic('f7-stall-group'),
      topics: [topic],
      fromBeginning: true,
      handler: async (batch) => {
        for (const m of batch.messages) logged.add(text(m));
      },
    });
    cleanups.push(() => consumer.stop());
    await consumer.start();
    await expectEventually(
      async () => {
        const lag = await consumer.lag();
        expect(lag.length).toBe(1);
        expect(lag.every((l) => l.lag === 0)).toBe(true);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(acked.filter((v) => !logged.has(v))).toEqual([]);
    process.stderr.write(`F7 stall: ${acked.length / 2} of 8 sends acknowledged, ${logged.size - 1} messages in the log\n`);
  });
});

describe('F13: a handler stalls past the session timeout', () => {
  it('other partitions keep flowing, the group does not rebalance, the stalled message is delivered', async () => {
    const brokers = kafkaBrokers();
    const connection = { brokers, clientId: 'f13', log: quiet };
    const topic = uniqueTopic('f13');
    await createTopic(topic, 2);
    const publisher = new KafkaPublisher(connection);
    const admin = new KafkaTopicAdmin(connection);
    cleanups.push(
      () => publisher.close(),
      () => admin.close(),
    );

    // Find a "slow" key and "fast" keys that land on the other partition.
    const partitionOf = async (key: string): Promise<number> => {
      const [r] = await publisher.publish(topic, [{ key, value: `${key}:probe` }]);
      return r?.partition ?? -1;
    };
    const slowPartition = await partitionOf('slow');
    const fastKeys: string[] = [];
    for (let i = 0; fastKeys.length < 3 && i < 50; i += 1) {
      if ((await partitionOf(`fast-${i}`)) !== slowPartition) fastKeys.push(`fast-${i}`);
    }
    expect(fastKeys).toHaveLength(3);

    const sessionTimeoutMs = 4000;
    const stallMs = 9000; // more than twice the session timeout
    let stalledOnce = false;
    let stallStartedAt = 0;
    let stallEnded = false;
    const fastArrivals: string[] = [];
    const slowArrivals: string[] = [];
    const events: ConsumerEvent[] = [];
    const groupId = uniqueTopic('f13-group');
    const consumer = new KafkaConsumerFactory(connection).create({
      groupId,
      topics: [topic],
      sessionTimeoutMs,
      handlerTimeoutMs: 2000,
      stallTimeoutMs: 20_000,
      handler: async (batch) => {
        for (const m of batch.messages) {
          const v = text(m);
          if (v.endsWith(':probe')) continue;
          if (v.startsWith('slow') && !stalledOnce) {
            stalledOnce = true;
            stallStartedAt = Date.now();
            // A downstream call that ignores its deadline and hangs for 9 s, then answers.
            await new Promise((r) => setTimeout(r, stallMs));
            stallEnded = true;
          }
          (v.startsWith('slow') ? slowArrivals : fastArrivals).push(v);
        }
      },
    });
    consumer.onEvent((e) => events.push(e));
    cleanups.push(() => consumer.stop());
    await consumer.start();

    await publisher.publish(topic, [{ key: 'slow', value: 'slow:0' }]);
    await expectEventually(() => expect(stalledOnce).toBe(true), { timeoutMs: 30_000 });
    // While the slow call hangs, fast customers' events keep flowing…
    const publishFast = async (round: number): Promise<void> => {
      await publisher.publish(
        topic,
        fastKeys.map((k) => ({ key: k, value: `${k}:${round}` })),
      );
    };
    await publishFast(0);
    await expectEventually(() => expect(fastArrivals).toHaveLength(3), {
      timeoutMs: 4000,
      intervalMs: 50,
    });
    // …the overrun is reported once the handler timeout (2 s) has passed…
    await expectEventually(
      () =>
        expect(consumer.health().stalledPartitions).toEqual([{ topic, partition: slowPartition }]),
      {
        timeoutMs: 5000,
        intervalMs: 50,
      },
    );
    // …and past the session timeout the member is still in its group and still flowing.
    await expectEventually(
      () => expect(Date.now() - stallStartedAt).toBeGreaterThan(sessionTimeoutMs + 1000),
      {
        timeoutMs: 10_000,
        intervalMs: 100,
      },
    );
    await publishFast(1);
    await expectEventually(() => expect(fastArrivals).toHaveLength(6), {
      timeoutMs: 3000,
      intervalMs: 50,
    });
    expect(stallEnded).toBe(false);
    expect(consumer.health()).toMatchObject({ healthy: true, restarts: 0 });

    await expectEventually(() => expect(slowArrivals).toEqual(['slow:0']), { timeoutMs: 30_000 });
    await publisher.publish(topic, [{ key: 'slow', value: 'slow:1' }]);
    await expectEventually(() => expect(slowArrivals).toEqual(['slow:0', 'slow:1']), {
      timeoutMs: 30_000,
    });
    await expectEventually(
      async () =>
        expect((await admin.groupLag(groupId, [topic])).every((l) => l.lag === 0)).toBe(true),
      {
        timeoutMs: 20_000,
      },
    );
    // One assignment, no rebalance, no restart, no redelivery.
    expect(events.filter((e) => e.type === 'assigned')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'crashed' || e.type === 'restarting')).toEqual([]);
    expect(consumer.health()).toMatchObject({ restarts: 0, healthy: true, stalledPartitions: [] });
    expect(fastArrivals.filter((v) => v === `${fastKeys[0] ?? ''}:0`)).toHaveLength(1);
  });
});
