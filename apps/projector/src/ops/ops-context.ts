import { eventTypeDefinitions } from '@c360/contracts';
import { EventTypeRegistry, MasterKeyring, PostgresEventStore, PostgresKeyStore, ProtectedEventStore, type EventStore } from '@c360/event-store';
import type { BulkCatchUpOptions, ProjectionDefinition } from '@c360/projections';
import type { ReadModelRepositories } from '@c360/read-models';
import { KafkaConsumerFactory, KafkaPublisher, KafkaTopicAdmin } from '@c360/messaging';
import { Pool } from 'pg';
import { EventStoreStats } from './event-store-stats';
import { migrateOps } from './ops-store';
import { RebuildExecutor } from './rebuild/rebuild-executor';
import { RebuildJobsRepository } from './rebuild/rebuild-jobs.repository';
import { RebuildService } from './rebuild/rebuild.service';
import { ProjectionStatusReader } from './status/projection-status.reader';
import { PostgresReplayWindow } from './replay/replay-window';
import { ReplayJobs } from './replay/replay-jobs';
import { ReplayService } from './replay/replay.service';
import { KafkaVerifier, PostgresIngestorAccounts } from './verify/kafka-verify';
import { VerifyService } from './verify/verify.service';

export interface OpsOptions {
  readonly databaseUrl: string;
  readonly readModelSchema: string;
  readonly eventStoreSchema: string;
  /** The projections this deployment runs — the same definitions as the projector's. */
  readonly definitions: readonly ProjectionDefinition<ReadModelRepositories>[];
  /** The store the projections read (the platform may pass a protected store); default PostgreSQL on the URL. */
  readonly eventStore?: EventStore;
  /**
   * Without `eventStore`: the platform's master keys (first = active), so rebuilds and verify
   * read personal fields decrypted (and erased ones as erased), exactly as the projector folds them.
   */
  readonly masterKeys?: readonly { readonly id: string; readonly key: Buffer }[];
  readonly defaultPartitions: number;
  readonly batch: { readonly maxSize: number; readonly maxLatencyMs: number };
  /** Bulk catch-up of rebuilds (the projector's PROJECTOR_BULK_* settings). Default: off. */
  readonly bulk?: BulkCatchUpOptions;
  readonly poolMax?: number;
  /**
   * The broker and c360's topics: replay over HTTP publishes there, and verify reads the raw
   * topic. Without it, replay answers 503 and verify checks the store ↔ read models half only.
   */
  readonly kafka?: OpsKafkaOptions;
  /** The ingestor's schema (dead letters, parked events) for verify. Default 'ingestor'. */
  readonly ingestorSchema?: string;
}

export interface OpsKafkaOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Prefix of consumer groups (KAFKA_GROUP_PREFIX); the ingestor's group is `<prefix>.ingestor`. */
  readonly groupPrefix: string;
  readonly topics: { readonly events: string; readonly deadLetters: string; readonly derived: string };
  readonly partitions: number;
  readonly replicationFactor?: number;
  /** Default `<groupPrefix>.ingestor` (the ingestor module's default). */
  readonly ingestorGroupId?: string;
}

/** The operator services, wired by hand (plain objects; the Nest module and the CLI wrap this). */
export interface Ops {
  readonly status: ProjectionStatusReader;
  readonly rebuild: RebuildService;
  readonly verify: VerifyService;
  readonly stats: EventStoreStats;
  /** Replays as jobs (HTTP); refuses with 503 when Kafka is not configured. */
  readonly replay: ReplayJobs;
  /** The Kafka half of verify; undefined when Kafka is not configured. */
  readonly kafkaVerify: KafkaVerifier | undefined;
  readonly pool: Pool;
  readonly eventStore: EventStore;
  close(): Promise<void>;
}

export async function createOps(options: OpsOptions): Promise<Ops> {
  const pool = new Pool({ connectionString: options.databaseUrl, max: options.poolMax ?? 8, connectionTimeoutMillis: 5_000, application_name: 'c360-ops' });
  pool.on('error', () => undefined);
  try {
    await migrateOps(pool);
  } catch (e) {
    await pool.end();
    throw e;
  }
  const ownStore = options.eventStore === undefined;
  const eventStore = options.eventStore ?? ownEventStore(pool, options);
  const stats = new EventStoreStats(pool, options.eventStoreSchema);
  const jobs = new RebuildJobsRepository(pool);
  const executor = new RebuildExecutor({
    databaseUrl: options.databaseUrl,
    pool,
    readModelSchema: options.readModelSchema,
    eventStore,
    stats,
    jobs,
    definitions: options.definitions,
    defaultPartitions: options.defaultPartitions,
    batch: options.batch,
    bulk: options.bulk,
  });
  const rebuild = new RebuildService(jobs, executor);
  const projections = options.definitions.map((d) => ({ name: d.name, eventTypes: d.eventTypes }));
  const status = new ProjectionStatusReader({ pool, stats, readModelSchema: options.readModelSchema, projections });
  const verify = new VerifyService({ pool, stats, readModelSchema: options.readModelSchema, definitions: options.definitions, databaseUrl: options.databaseUrl, eventStore });
  const k = options.kafka;
  const kafkaClients = k
    ? {
        publisher: new KafkaPublisher({ brokers: k.brokers, clientId: `${k.clientId}-ops-replay` }),
        admin: new KafkaTopicAdmin({ brokers: k.brokers, clientId: `${k.clientId}-ops-admin` }),
      }
    : undefined;
  const replayService =
    k && kafkaClients
      ? new ReplayService({
          eventStore,
          window: new PostgresReplayWindow(pool, options.eventStoreSchema),
          publisher: kafkaClients.publisher,
          admin: kafkaClients.admin,
          reservedTopics: [k.topics.events, k.topics.deadLetters, k.topics.derived],
          defaultPartitions: k.partitions,
          ...(k.replicationFactor !== undefined ? { replicationFactor: k.replicationFactor } : {}),
        })
      : undefined;
  const replay = new ReplayJobs({ pool, service: replayService });
  const kafkaVerify =
    k && kafkaClients
      ? new KafkaVerifier({
          admin: kafkaClients.admin,
          consumers: new KafkaConsumerFactory({ brokers: k.brokers, clientId: `${k.clientId}-verify` }),
          store: stats,
          accounts: new PostgresIngestorAccounts(pool, options.ingestorSchema ?? 'ingestor'),
          topics: [k.topics.events],
          ingestorGroupId: k.ingestorGroupId ?? `${k.groupPrefix}.ingestor`,
          groupPrefix: k.groupPrefix,
        })
      : undefined;
  return {
    status,
    rebuild,
    verify,
    stats,
    replay,
    kafkaVerify,
    pool,
    eventStore,
    async close() {
      await Promise.allSettled([rebuild.drain(), replay.drain()]);
      if (kafkaClients) await Promise.allSettled([kafkaClients.publisher.close(), kafkaClients.admin.close()]);
      if (ownStore) await eventStore.close();
      await pool.end();
    },
  };
}

function ownEventStore(pool: Pool, options: OpsOptions): EventStore {
  const active = options.masterKeys?.[0];
  if (!options.masterKeys || !active) return new PostgresEventStore(pool, { schema: options.eventStoreSchema, pollIntervalMs: 20 });
  const registry = new EventTypeRegistry(eventTypeDefinitions());
  const masterKeys = MasterKeyring.fromConfig({
    activeKeyId: active.id,
    keys: Object.fromEntries(options.masterKeys.map((k) => [k.id, k.key.toString('base64')])),
  });
  const inner = new PostgresEventStore(pool, { registry, schema: options.eventStoreSchema, pollIntervalMs: 20 });
  return new ProtectedEventStore(inner, { registry, keyStore: new PostgresKeyStore(pool), masterKeys });
}
