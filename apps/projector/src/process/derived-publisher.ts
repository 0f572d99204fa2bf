import type { AppConfig } from '@c360/config';
import { KafkaPublisher, KafkaTopicAdmin, type MessagePublisher } from '@c360/messaging';
import type { DerivedConfig } from '../derived/derived-config';

/** Where the standalone projector's outbox relay publishes derived events, if anywhere. */
export interface DerivedPublisher {
  /** Undefined without KAFKA_BROKERS: the Projector then starts no relay. */
  readonly publisher: MessagePublisher | undefined;
  /** One line for the start-up log: where derived events go, or why they stay in the outbox. */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * With KAFKA_BROKERS: the derived topic created if missing (auto-creation is off on our
 * brokers; idempotent, safe from several workers) and a publisher for the outbox relay, set up
 * as the platform sets up its own (apps/platform/src/composition/platform-resources.ts: one
 * idempotent producer, client id `<KAFKA_CLIENT_ID>-derived`). Without: no publisher; segment
 * and churn changes still land in the outbox (read_models.derived_outbox), unsent.
 */
export async function openDerivedPublisher(config: AppConfig, derived: DerivedConfig): Promise<DerivedPublisher> {
  const k = config.kafka;
  if (!k.brokers) {
    return {
      publisher: undefined,
      description: `KAFKA_BROKERS is not set: derived events (segment entered/left, churn flag raised/cleared) stay in the outbox and are NOT published to "${derived.topic}"; set KAFKA_BROKERS to relay them`,
      close: async () => undefined,
    };
  }
  const admin = new KafkaTopicAdmin({ brokers: k.brokers, clientId: `${k.clientId}-projector-admin` });
  try {
    await admin.ensureTopics([{ name: derived.topic, partitions: k.partitions, replicationFactor: k.replicationFactor }]);
  } finally {
    await admin.close();
  }
  const publisher = new KafkaPublisher({ brokers: k.brokers, clientId: `${k.clientId}-derived` });
  return {
    publisher,
    description: `derived events relayed from the outbox to Kafka topic "${derived.topic}" every ${derived.relayIntervalMs} ms`,
    close: () => publisher.close(),
  };
}
