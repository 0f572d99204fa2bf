import { eventTypeDefinitions } from '@c360/contracts';
import { EventTypeRegistry, MasterKeyring, PostgresEventStore, PostgresKeyStore, ProtectedEventStore } from '@c360/event-store';
import { KafkaPublisher, KafkaTopicAdmin } from '@c360/messaging';
import { Pool } from 'pg';
import { PostgresReplayWindow } from './replay-window';
import { ReplayService } from './replay.service';

export interface ReplayOptions {
  readonly databaseUrl: string;
  readonly eventStoreSchema: string;
  /** The platform's master keys (first = active): personal fields are decrypted, erased ones read as erased. */
  readonly masterKeys: readonly { readonly id: string; readonly key: Buffer }[];
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly defaultPartitions: number;
    readonly replicationFactor?: number;
  };
  /** The system's own topics, refused as targets. */
  readonly reservedTopics: readonly string[];
}

export interface Replay {
  readonly service: ReplayService;
  close(): Promise<void>;
}

/** The replay service wired by hand over PostgreSQL and Kafka (the CLI's entry point). */
export function createReplay(options: ReplayOptions): Replay {
  const active = options.masterKeys[0];
  if (!active) throw new Error('no master key: replay reads personal fields through the crypto-shredding store');
  const pool = new Pool({ connectionString: options.databaseUrl, max: 4, connectionTimeoutMillis: 5_000, application_name: 'c360-replay' });
  pool.on('error', () => undefined);
  const registry = new EventTypeRegistry(eventTypeDefinitions());
  const masterKeys = MasterKeyring.fromConfig({ activeKeyId: active.id, keys: Object.fromEntries(options.masterKeys.map((k) => [k.id, k.key.toString('base64')])) });
  const inner = new PostgresEventStore(pool, { registry, schema: options.eventStoreSchema });
  const eventStore = new ProtectedEventStore(inner, { registry, keyStore: new PostgresKeyStore(pool), masterKeys });
  const publisher = new KafkaPublisher({ brokers: options.kafka.brokers, clientId: `${options.kafka.clientId}-replay` });
  const admin = new KafkaTopicAdmin({ brokers: options.kafka.brokers, clientId: `${options.kafka.clientId}-replay-admin` });
  const service = new ReplayService({
    eventStore,
    window: new PostgresReplayWindow(pool, options.eventStoreSchema),
    publisher,
    admin,
    reservedTopics: options.reservedTopics,
    defaultPartitions: options.kafka.defaultPartitions,
    ...(options.kafka.replicationFactor !== undefined ? { replicationFactor: options.kafka.replicationFactor } : {}),
  });
  return {
    service,
    async close() {
      await Promise.allSettled([publisher.close(), admin.close(), eventStore.close()]);
      await pool.end();
    },
  };
}
