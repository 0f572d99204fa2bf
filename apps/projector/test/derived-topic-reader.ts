import { KafkaConsumerFactory, type MessageConsumer } from '@c360/messaging';
import { kafkaBrokers, uniqueTopic } from '@c360/testing';

/** One derived event as read from the derived topic. */
export interface DerivedRecord {
  readonly id: string;
  /** The record key (the customer id: one customer's derived events stay in order). */
  readonly key: string;
  readonly customerId: string;
  readonly type: string;
}

/** Every derived record of `topic` from its beginning, collected as they arrive (a fresh consumer group). */
export async function readDerivedTopic(topic: string, clientId: string): Promise<{ readonly received: DerivedRecord[]; stop(): Promise<void> }> {
  const received: DerivedRecord[] = [];
  const consumer: MessageConsumer = new KafkaConsumerFactory({ brokers: kafkaBrokers(), clientId }).create({
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
  return { received, stop: () => consumer.stop() };
}

/** The outbox of derived events in `schema`, in order: each event's id and whether the relay has sent it. */
export async function derivedOutbox(
  db: { query<R>(sql: string): Promise<{ rows: R[] }> },
  schema = 'read_models',
): Promise<Array<{ event_id: string; sent: boolean }>> {
  return (await db.query<{ event_id: string; sent: boolean }>(`SELECT event_id::text AS event_id, sent_at IS NOT NULL AS sent FROM ${schema}.derived_outbox ORDER BY seq`)).rows;
}

/** The four derived event types. */
export const DERIVED_TYPES = ['SegmentEntered', 'SegmentLeft', 'ChurnFlagRaised', 'ChurnFlagCleared'];
