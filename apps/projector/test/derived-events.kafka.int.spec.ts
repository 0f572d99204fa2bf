import { KafkaConsumerFactory, KafkaPublisher, type MessageConsumer } from '@c360/messaging';
import { historyFromOps, seededOps } from '@c360/projections/testing';
import { createTopic, expectEventually, kafkaBrokers, uniqueTopic } from '@c360/testing';
import { parseDerivedConfig } from '../src/derived/derived-config';
import { Projector } from '../src/projector';
import { createHarness, type Harness } from './harness';

const CUSTOMERS = Array.from({ length: 12 }, (_, i) => `K${String(i).padStart(4, '0')}`);

describe('derived events on the real Kafka broker', () => {
  let h: Harness;
  const topic = uniqueTopic('c360.derived');
  const connection = { brokers: kafkaBrokers(), clientId: 'derived-events-test' };
  const publisher = new KafkaPublisher(connection);
  let consumer: MessageConsumer | undefined;
  let projector: Projector | undefined;

  beforeAll(async () => {
    h = await createHarness();
    await createTopic(topic, 3);
    await h.append(historyFromOps(CUSTOMERS, seededOps(11, 200, CUSTOMERS.length)));
  });
  afterAll(async () => {
    await consumer?.stop();
    await projector?.stop();
    await publisher.close();
    await h.close();
  });

  it('relays every derived event of the outbox to the topic once per id, keyed by customer, and marks it sent', async () => {
    projector = new Projector({
      config: h.config({ workerId: 'kafka-derived', mode: 'single' }),
      derived: { ...parseDerivedConfig({ DERIVED_TOPIC: topic }), sweepIntervalMs: 0, relayIntervalMs: 50 },
      publisher,
    });
    await projector.start();
    await h.caughtUpDigest();
    const received: Array<{ id: string; key: string; customerId: string; type: string }> = [];
    consumer = new KafkaConsumerFactory(connection).create({
      groupId: uniqueTopic('derived-reader'),
      topics: [topic],
      sessionTimeoutMs: 10_000,
      handler: async (batch) => {
        for (const m of batch.messages) {
          const event = JSON.parse(m.value?.toString('utf8') ?? '{}') as { eventId: string; customerId: string; type: string };
          received.push({ id: event.eventId, key: m.key?.toString('utf8') ?? '', customerId: event.customerId, type: event.type });
        }
      },
    });
    await consumer.start();
    const outbox = async (): Promise<Array<{ event_id: string; sent: boolean }>> =>
      (await h.db.pool.query<{ event_id: string; sent: boolean }>(
        'SELECT event_id::text AS event_id, sent_at IS NOT NULL AS sent FROM read_models.derived_outbox ORDER BY seq',
      )).rows;
    await expectEventually(async () => expect((await outbox()).every((r) => r.sent)).toBe(true), { timeoutMs: 30_000 });
    const ids = (await outbox()).map((r) => r.event_id);
    expect(ids.length).toBeGreaterThan(CUSTOMERS.length);
    await expectEventually(() => expect(received.length).toBeGreaterThanOrEqual(ids.length), { timeoutMs: 60_000, intervalMs: 100 });
    expect(received.map((r) => r.id).sort()).toEqual([...ids].sort()); // each once
    expect(received.every((r) => r.key === r.customerId)).toBe(true);
    expect(new Set(received.map((r) => r.type))).toEqual(new Set(['SegmentEntered', 'SegmentLeft', 'ChurnFlagRaised', 'ChurnFlagCleared']));
  });
});
