import { Pool } from 'pg';
import { resolveMasterKeys, type AppConfig } from '@c360/config';
import { eventTypeDefinitions } from '@c360/contracts';
import { EventStoreSelectionError, EventTypeRegistry, MasterKeyring, openSelectedEventStore, PostgresKeyStore, ProtectedEventStore, type EventStore } from '@c360/event-store';
import { KafkaPublisher, KafkaTopicAdmin, type MessagePublisher } from '@c360/messaging';
import { eventStoreSettingError, type PlatformSettings } from './platform-settings';

/**
 * What the mounted modules share and the platform owns: one protected event store (one key
 * cache, so an erasure is seen at once by the projector and the query API) and, in Kafka mode,
 * the publisher of derived events. Opened before the Nest application, closed after it.
 */
export interface PlatformResources {
  readonly eventStore: ProtectedEventStore;
  /** Kafka mode only: where the projector's outbox relay publishes derived events. */
  readonly derivedPublisher: MessagePublisher | undefined;
  close(): Promise<void>;
}

export async function openPlatformResources(config: AppConfig, databaseUrl: string, settings: PlatformSettings): Promise<PlatformResources> {
  // Resolve (and on a first run generate) the master keys before any module does, so every
  // module reads the same dev key file instead of racing to create it.
  const keys = await resolveMasterKeys(config);
  const active = keys[0];
  if (!active) throw new Error('no master key for crypto-shredding (C360_MASTER_KEYS)');
  const masterKeys = MasterKeyring.fromConfig({ activeKeyId: active.id, keys: Object.fromEntries(keys.map((k) => [k.id, k.key.toString('base64')])) });

  if (config.kafka.brokers) await ensureTopics(config, settings);

  const pool = new Pool({ connectionString: databaseUrl, max: config.database.poolMax, connectionTimeoutMillis: 5_000, application_name: 'c360-platform-store' });
  pool.on('error', () => undefined); // an idle connection lost: the next query reconnects; readiness reports the database
  const registry = new EventTypeRegistry(eventTypeDefinitions());
  const inner = selectEventStore(config, pool, registry, settings);
  const eventStore = new ProtectedEventStore(inner, { registry, keyStore: new PostgresKeyStore(pool), masterKeys });
  const derivedPublisher = config.kafka.brokers
    ? new KafkaPublisher({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-derived` })
    : undefined;

  return {
    eventStore,
    derivedPublisher,
    async close() {
      await derivedPublisher?.close().catch(() => undefined);
      await eventStore.close().catch(() => undefined);
      await pool.end();
    },
  };
}

/**
 * The store events go to: EventStoreDB/KurrentDB when EVENTSTORE_CONNECTION_STRING is set, else
 * PostgreSQL (schema EVENT_STORE_SCHEMA). Read models, data keys and checkpoints stay in
 * PostgreSQL either way. A connection string the client cannot parse stops the start, named.
 */
export function selectEventStore(config: AppConfig, pool: Pool, registry: EventTypeRegistry, settings: Pick<PlatformSettings, 'projector'>): EventStore {
  try {
    return openSelectedEventStore(config.eventStore, pool, { registry, schema: settings.projector.eventStoreSchema, pollIntervalMs: 20 });
  } catch (e) {
    if (e instanceof EventStoreSelectionError) throw eventStoreSettingError(e);
    throw e;
  }
}

/** Every topic the platform writes to, created if missing (auto-creation is off on our brokers). */
async function ensureTopics(config: AppConfig, settings: PlatformSettings): Promise<void> {
  const k = config.kafka;
  const admin = new KafkaTopicAdmin({ brokers: k.brokers ?? [], clientId: `${k.clientId}-platform-admin` });
  try {
    await admin.ensureTopics(
      [...new Set([k.topics.events, k.topics.deadLetters, settings.derived.topic])].map((name) => ({ name, partitions: k.partitions, replicationFactor: k.replicationFactor })),
    );
  } finally {
    await admin.close();
  }
}
