import { Inject, Injectable, Logger, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import type { Registry } from 'prom-client';
import { APP_CONFIG, resolveMasterKeys, type AppConfig } from '@c360/config';
import { eventTypeDefinitions } from '@c360/contracts';
import {
  EventTypeRegistry,
  MasterKeyring,
  migratePostgresEventStore,
  openSelectedEventStore,
  PostgresKeyStore,
  ProtectedEventStore,
  type EventStore,
} from '@c360/event-store';
import { KafkaConsumerFactory, KafkaPublisher, KafkaTopicAdmin, TopicDeadLetterSink } from '@c360/messaging';
import { METRICS_REGISTRY, ProblemMappers, ReadinessRegistry } from '@c360/observability';
import { DeadLetterOps } from './dead-letters/dead-letter-ops.service';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { DirectIngestion } from './ingest/direct-ingestion';
import { EventsConsumer } from './ingest/events-consumer';
import { Ingestion } from './ingest/ingestion';
import { DeadLetterRecorder } from './ingest/rejection-recorder';
import { ingestorErrorToProblem } from './ingestor.errors';
import { IngestorMetrics } from './ingestor-metrics';
import { DEFAULT_INGESTOR_SCHEMA, migrateIngestor } from './persistence/ingestor-migrations';
import { IngestorRepository } from './persistence/ingestor.repository';

export interface IngestorModuleOptions {
  /** PostgreSQL for the ingestor's tables and the event store (DATABASE_URL, or the embedded server's). */
  readonly databaseUrl: string;
  /**
   * `'kafka'` (default): a consumer group on KAFKA_TOPIC_EVENTS.
   * `'direct'`: no consumer; `DirectIngestion` is the gateway's intake (all-in-one without Kafka).
   */
  readonly mode?: 'kafka' | 'direct';
  /** Schema of the ingestor's tables. Default `ingestor`. */
  readonly schema?: string;
  /** Schema of the PostgreSQL event store. Default `event_store`. */
  readonly eventStoreSchema?: string;
  readonly poolMax?: number;
  /** Consumer group id. Default `<KAFKA_GROUP_PREFIX>.ingestor`. */
  readonly groupId?: string;
}

const INGESTOR_POOL = Symbol('INGESTOR_POOL');
/** The event store the ingestor appends to (crypto-shredding over PostgreSQL). */
export const INGESTOR_EVENT_STORE = Symbol('INGESTOR_EVENT_STORE');
const INGESTOR_OPTIONS = Symbol('INGESTOR_OPTIONS');
const DLQ_PUBLISHER = Symbol('INGESTOR_DLQ_PUBLISHER');

@Injectable()
class IngestorLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Ingestor');

  constructor(
    @Inject(INGESTOR_OPTIONS) private readonly options: IngestorModuleOptions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(INGESTOR_POOL) private readonly pool: Pool,
    @Inject(ProblemMappers) private readonly mappers: ProblemMappers,
    @Inject(ReadinessRegistry) private readonly readiness: ReadinessRegistry,
    @Inject(EventsConsumer) private readonly consumer: EventsConsumer | null,
    @Inject(IngestorMetrics) private readonly metrics: IngestorMetrics,
  ) {}

  async onModuleInit(): Promise<void> {
    this.mappers.register(ingestorErrorToProblem);
    await migratePostgresEventStore(this.pool, this.options.eventStoreSchema);
    await new PostgresKeyStore(this.pool).migrate();
    await migrateIngestor(this.pool, this.options.schema ?? DEFAULT_INGESTOR_SCHEMA);
    // The store is where every event must land: readiness follows it (F8: false during a cut).
    this.readiness.register({
      name: 'ingestor-database',
      check: async () => {
        const started = Date.now();
        await this.pool.query('SELECT 1');
        return { up: true, details: { latencyMs: Date.now() - started } };
      },
    });
    const consumer = this.consumer;
    if (consumer) {
      this.metrics.setLagSource(() => consumer.lag());
      this.readiness.register({ name: 'ingestor-consumer', check: async () => ({ up: consumer.healthy() }) });
      const k = this.config.kafka;
      const admin = new KafkaTopicAdmin({ brokers: k.brokers ?? [], clientId: `${k.clientId}-ingestor-admin` });
      try {
        await admin.ensureTopics([
          { name: k.topics.events, partitions: k.partitions, replicationFactor: k.replicationFactor },
          { name: k.topics.deadLetters, partitions: k.partitions, replicationFactor: k.replicationFactor },
        ]);
      } finally {
        await admin.close();
      }
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.consumer) {
      await this.consumer.start();
      this.logger.log('consuming events');
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

@Injectable()
class DlqPublisherLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DLQ_PUBLISHER) private readonly publisher: KafkaPublisher | null) {}
  async onApplicationShutdown(): Promise<void> {
    await this.publisher?.close();
  }
}

/**
 * The ingestor: Kafka events topic → validation → identity resolution → customer streams.
 * Also the dead-letter ops endpoint (`/v1/ops/dead-letters…`) and, for the all-in-one
 * platform without Kafka, `DirectIngestion` (export it to the gateway as its intake).
 * Needs (global) ConfigModule, MetricsModule, HealthModule, ProblemModule, AuthModule.
 */
@Module({})
export class IngestorModule {
  static forRoot(options: IngestorModuleOptions): DynamicModule {
    const mode = options.mode ?? 'kafka';
    return {
      module: IngestorModule,
      controllers: [DeadLettersController],
      providers: [
        { provide: INGESTOR_OPTIONS, useValue: options },
        {
          provide: INGESTOR_POOL,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig): Pool => {
            const pool = new Pool({ connectionString: options.databaseUrl, max: options.poolMax ?? config.database.poolMax, connectionTimeoutMillis: 5_000, application_name: 'c360-ingestor' });
            const logger = new Logger('Ingestor');
            pool.on('error', (e) => logger.warn(`idle database connection lost (${(e as { code?: string }).code ?? e.name})`));
            return pool;
          },
        },
        {
          provide: INGESTOR_EVENT_STORE,
          inject: [APP_CONFIG, INGESTOR_POOL],
          useFactory: async (config: AppConfig, pool: Pool): Promise<EventStore> => {
            const registry = new EventTypeRegistry(eventTypeDefinitions());
            const keys = await resolveMasterKeys(config);
            const active = keys[0];
            if (!active) throw new Error('no master key for crypto-shredding');
            const masterKeys = MasterKeyring.fromConfig({ activeKeyId: active.id, keys: Object.fromEntries(keys.map((k) => [k.id, k.key.toString('base64')])) });
            const inner = openSelectedEventStore(config.eventStore, pool, { registry, ...(options.eventStoreSchema ? { schema: options.eventStoreSchema } : {}) });
            // The ingestor appends for every active customer: keep their data keys (32 bytes each)
            // cached, rather than asking the key store on nearly every batch. The TTL stays.
            return new ProtectedEventStore(inner, { registry, keyStore: new PostgresKeyStore(pool), masterKeys, keyCache: { maxEntries: 100_000 } });
          },
        },
        {
          provide: IngestorRepository,
          inject: [INGESTOR_POOL],
          useFactory: (pool: Pool) => new IngestorRepository(pool, options.schema ?? DEFAULT_INGESTOR_SCHEMA),
        },
        {
          provide: IngestorMetrics,
          inject: [METRICS_REGISTRY, IngestorRepository],
          useFactory: (registry: Registry, repo: IngestorRepository) => new IngestorMetrics(registry, () => repo.parkedCount()),
        },
        {
          provide: DLQ_PUBLISHER,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig): KafkaPublisher | null =>
            mode === 'kafka' && config.kafka.brokers ? new KafkaPublisher({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-ingestor-dlq` }) : null,
        },
        DlqPublisherLifecycle,
        {
          provide: Ingestion,
          inject: [INGESTOR_EVENT_STORE, IngestorRepository, IngestorMetrics, DLQ_PUBLISHER, APP_CONFIG],
          useFactory: (store: EventStore, repo: IngestorRepository, metrics: IngestorMetrics, publisher: KafkaPublisher | null, config: AppConfig) =>
            new Ingestion(store, repo, metrics, new DeadLetterRecorder(repo, publisher ? new TopicDeadLetterSink(publisher, () => config.kafka.topics.deadLetters) : undefined)),
        },
        {
          provide: EventsConsumer,
          inject: [APP_CONFIG, Ingestion],
          useFactory: (config: AppConfig, ingestion: Ingestion): EventsConsumer | null => {
            if (mode !== 'kafka') return null;
            const brokers = config.kafka.brokers;
            if (!brokers) throw new Error('IngestorModule in Kafka mode needs KAFKA_BROKERS');
            return new EventsConsumer(new KafkaConsumerFactory({ brokers, clientId: `${config.kafka.clientId}-ingestor` }), ingestion, {
              groupId: options.groupId ?? `${config.kafka.groupPrefix}.ingestor`,
              topic: config.kafka.topics.events,
              maxBatchSize: config.ingestor.batchSize,
              sessionTimeoutMs: config.kafka.sessionTimeoutMs,
              logEachEvent: config.log.level === 'debug' || config.log.level === 'trace',
            });
          },
        },
        { provide: DeadLetterOps, inject: [IngestorRepository, Ingestion], useFactory: (repo: IngestorRepository, ingestion: Ingestion) => new DeadLetterOps(repo, ingestion) },
        { provide: DirectIngestion, inject: [Ingestion], useFactory: (ingestion: Ingestion) => new DirectIngestion(ingestion) },
        IngestorLifecycle,
      ],
      exports: [DirectIngestion, DeadLetterOps, INGESTOR_EVENT_STORE],
    };
  }
}
