import { KafkaPublisher } from '@c360/messaging';
import { historyFromOps, seededOps } from '@c360/projections/testing';
import { createTopic, expectEventually, kafkaBrokers, uniqueTopic } from '@c360/testing';
import { parseDerivedConfig } from '../src/derived/derived-config';
import { Projector } from '../src/projector';
import { DERIVED_TYPES, derivedOutbox, readDerivedTopic } from './derived-topic-reader';
import { createHarness, type Harness } from './harness';

const CUSTOMERS = Array.from({ length: 12 }, (_, i) => `K${String(i).padStart(4, '0')}`);

describe('derived events on the real Kafka broker', () => {
  let h: Harness;
  const topic = uniqueTopic('c360.derived');
  const connection = { brokers: kafkaBrokers(), clientId: 'derived-events-test' };
  const publisher = new KafkaPublisher(connection);
  let reader: Awaited<ReturnType<typeof readDerivedTopic>> | undefined;
  let projector: Projector | undefined;

  beforeAll(async () => {
    h = await createHarness();
    await createTopic(topic, 3);
    await h.append(historyFromOps(CUSTOMERS, seededOps(11, 200, CUSTOMERS.length)));
  });
  afterAll(async () => {
    await reader?.stop();
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
    reader = await readDerivedTopic(topic, 'derived-events-test');
    const received = reader.received;
    const outbox = () => derivedOutbox(h.db.pool);
    await expectEventually(async () => expect((await outbox()).every((r) => r.sent)).toBe(true), { timeoutMs: 30_000 });
    const ids = (await outbox()).map((r) => r.event_id);
    expect(ids.length).toBeGreaterThan(CUSTOMERS.length);
    await expectEventually(() => expect(received.length).toBeGreaterThanOrEqual(ids.length), { timeoutMs: 60_000, intervalMs: 100 });
    expect(received.map((r) => r.id).sort()).toEqual([...ids].sort()); // each once
    expect(received.every((r) => r.key === r.customerId)).toBe(true);
    expect(new Set(received.map((r) => r.type))).toEqual(new Set(DERIVED_TYPES));
  });
});
