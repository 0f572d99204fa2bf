import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, resolveMasterKeys, type AppConfig } from '@c360/config';
import { eventTypeDefinitions } from '@c360/contracts';
import { EventTypeRegistry, MasterKeyring, openSelectedEventStore, PostgresKeyStore, ProtectedEventStore } from '@c360/event-store';
import { KafkaTopicAdmin } from '@c360/messaging';
import { ProblemMappers } from '@c360/observability';
import type { Customer360ProjectionOptions } from '@c360/projections';
import { createReadModelDataSource, migrateReadModels } from '@c360/read-models';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { AuditRefusalsFilter } from './audit/audit-refusals.filter';
import { AuditService } from './audit/audit.service';
import { OpsAuditService } from './audit/ops-audit.service';
import { ConsistencyService, type KafkaProgressProbe } from './consistency/consistency.service';
import { KafkaGroupProgress } from './consistency/kafka-group-progress';
import { CustomerViewService } from './customers/customer-view.service';
import { LookupService, TimelineService } from './customers/timeline.service';
import type { ErasableEventStore } from './erasure/erasable-event-store';
import { ErasureService } from './erasure/erasure.service';
import { IngestorDataPurger } from './erasure/ingestor-data-purger';
import { ReadModelRefolder } from './erasure/read-model-refolder';
import { RetentionSweeper } from './erasure/retention-sweeper';
import { CustomersController } from './http/customers.controller';
import { OpsAuditController } from './http/ops-audit.controller';
import { SegmentsController } from './http/segments.controller';
import { AuditLogRepository } from './persistence/audit-log.repository';
import { CustomerReadRepository } from './persistence/customer-read.repository';
import { migrateQueryApi } from './persistence/query-api-migrations';
import { RetentionRepository } from './persistence/retention.repository';
import { SegmentsService } from './segments/segments.service';
import { ClientRateLimitGuard, QUERY_RATE_LIMIT } from './protection/client-rate-limit.guard';
import { parseQueryApiConfig, type QueryApiConfig } from './query-api-config';
import { queryApiErrorToProblem } from './query-api.errors';

export interface QueryApiModuleOptions {
  /** DATABASE_URL or the embedded server's URL. */
  readonly databaseUrl: string;
  /** Defaults: parseQueryApiConfig({}) (pass the environment to honour QUERY_* settings). */
  readonly config?: QueryApiConfig;
  /**
   * The protected event store (share the platform's). Default: a ProtectedEventStore on
   * PostgreSQL with the configured master keys, like the ingestor's.
   */
  readonly eventStore?: ErasableEventStore;
  readonly eventStoreSchema?: string;
  /**
   * Resolves Kafka consistency tokens (the ingestor group's committed offsets). Default: with
   * KAFKA_BROKERS configured, a KafkaGroupProgress on `${KAFKA_GROUP_PREFIX}.ingestor` and the
   * events topic (opened and closed by this module); without, Kafka tokens are refused (400).
   */
  readonly kafkaProgress?: KafkaProgressProbe;
  /** The ingestor's consumer group, when it is not the default `${KAFKA_GROUP_PREFIX}.ingestor`. */
  readonly ingestorGroupId?: string;
  /**
   * The customer-360 projection's options (same as the projector's), for views (tiers, churn
   * flags) and erasure re-folds. Default: the thresholds of AppConfig (TIER_*, CHURN_*), which
   * the projector reads by the same rules.
   */
  readonly projection?: Customer360ProjectionOptions;
}

export const QUERY_API_OPTIONS = Symbol('QUERY_API_OPTIONS');
export const QUERY_API_CONFIG = Symbol('QUERY_API_CONFIG');
export const QUERY_API_POOL = Symbol('QUERY_API_POOL');
export const QUERY_API_DATA_SOURCE = Symbol('QUERY_API_DATA_SOURCE');
export const QUERY_API_EVENT_STORE = Symbol('QUERY_API_EVENT_STORE');
export const QUERY_API_KAFKA_PROGRESS = Symbol('QUERY_API_KAFKA_PROGRESS');
/** The domain and churn thresholds the query API computes with (views, re-folds). */
export const QUERY_API_PROJECTION = Symbol('QUERY_API_PROJECTION');

/** Migrates at start, registers the error mapper, closes what it opened. */
@Injectable()
class QueryApiLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(ProblemMappers) private readonly mappers: ProblemMappers,
    @Inject(QUERY_API_POOL) private readonly pool: Pool,
    @Inject(QUERY_API_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(QUERY_API_CONFIG) private readonly config: QueryApiConfig,
    @Inject(QUERY_API_OPTIONS) private readonly options: QueryApiModuleOptions,
    @Inject(QUERY_API_EVENT_STORE) private readonly store: ErasableEventStore,
    @Inject(QUERY_API_KAFKA_PROGRESS) private readonly kafkaProgress: KafkaProgressProbe | null,
  ) {}

  async onModuleInit(): Promise<void> {
    this.mappers.register(queryApiErrorToProblem);
    await migrateQueryApi(this.pool, this.config.schema);
    await migrateReadModels(this.dataSource);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    if (!this.options.eventStore) await this.store.close();
    if (!this.options.kafkaProgress && this.kafkaProgress instanceof KafkaGroupProgress) await this.kafkaProgress.close().catch(() => undefined);
    await this.pool.end();
  }
}

/**
 * The query API: customer-360 reads (live and time travel), timeline, lookup, erasure with
 * legal retention, the audit log. Needs (global) ConfigModule, ProblemModule and AuthModule;
 * the host registers @fastify/rate-limit, helmet, body limit and request timeout (the
 * platform's setUpFastify does).
 */
@Module({})
export class QueryApiModule {
  static forRoot(options: QueryApiModuleOptions): DynamicModule {
    const config = options.config ?? parseQueryApiConfig({});
    return {
      module: QueryApiModule,
      controllers: [CustomersController, OpsAuditController, SegmentsController],
      providers: [
        { provide: QUERY_API_OPTIONS, useValue: options },
        { provide: QUERY_API_CONFIG, useValue: config },
        { provide: QUERY_RATE_LIMIT, useValue: { max: config.rateLimitMax, windowMs: config.rateLimitWindowMs } },
        {
          provide: QUERY_API_POOL,
          useFactory: (): Pool => {
            const pool = new Pool({
              connectionString: options.databaseUrl,
              max: config.poolMax,
              connectionTimeoutMillis: 5_000,
              statement_timeout: config.statementTimeoutMs,
              application_name: 'c360-query-api',
            });
            const logger = new Logger('QueryApi');
            pool.on('error', (e) => logger.warn(`idle database connection lost (${(e as { code?: string }).code ?? e.name})`));
            return pool;
          },
        },
        {
          provide: QUERY_API_DATA_SOURCE,
          useFactory: (): DataSource =>
            createReadModelDataSource({ url: options.databaseUrl, schema: config.readModelSchema, poolMax: 2, applicationName: 'c360-query-api-refold' }),
        },
        {
          provide: QUERY_API_EVENT_STORE,
          inject: [APP_CONFIG, QUERY_API_POOL],
          useFactory: async (app: AppConfig, pool: Pool): Promise<ErasableEventStore> => {
            if (options.eventStore) return options.eventStore;
            const registry = new EventTypeRegistry(eventTypeDefinitions());
            const keys = await resolveMasterKeys(app);
            const active = keys[0];
            if (!active) throw new Error('no master key for crypto-shredding');
            const masterKeys = MasterKeyring.fromConfig({ activeKeyId: active.id, keys: Object.fromEntries(keys.map((k) => [k.id, k.key.toString('base64')])) });
            const inner = openSelectedEventStore(app.eventStore, pool, { registry, ...(options.eventStoreSchema ? { schema: options.eventStoreSchema } : {}) });
            return new ProtectedEventStore(inner, { registry, keyStore: new PostgresKeyStore(pool), masterKeys });
          },
        },
        { provide: AuditLogRepository, inject: [QUERY_API_POOL], useFactory: (pool: Pool) => new AuditLogRepository(pool, config.schema) },
        { provide: RetentionRepository, inject: [QUERY_API_POOL], useFactory: (pool: Pool) => new RetentionRepository(pool, config.schema) },
        { provide: CustomerReadRepository, inject: [QUERY_API_POOL], useFactory: (pool: Pool) => new CustomerReadRepository(pool, config.readModelSchema) },
        { provide: AuditService, inject: [AuditLogRepository], useFactory: (repo: AuditLogRepository) => new AuditService(repo) },
        {
          provide: QUERY_API_KAFKA_PROGRESS,
          inject: [APP_CONFIG],
          useFactory: (app: AppConfig): KafkaProgressProbe | null => {
            if (options.kafkaProgress) return options.kafkaProgress;
            const k = app.kafka;
            if (!k.brokers) return null;
            return new KafkaGroupProgress(new KafkaTopicAdmin({ brokers: k.brokers, clientId: `${k.clientId}-query-progress` }), {
              groupId: options.ingestorGroupId ?? `${k.groupPrefix}.ingestor`,
              topics: [k.topics.events],
            });
          },
        },
        {
          provide: ConsistencyService,
          inject: [CustomerReadRepository, QUERY_API_EVENT_STORE, QUERY_API_KAFKA_PROGRESS],
          useFactory: (reads: CustomerReadRepository, store: ErasableEventStore, kafka: KafkaProgressProbe | null) =>
            new ConsistencyService(reads, store, { maxWaitMs: config.consistencyMaxWaitMs, pollIntervalMs: config.consistencyPollMs, ...(kafka ? { kafka } : {}) }),
        },
        {
          provide: QUERY_API_PROJECTION,
          inject: [APP_CONFIG],
          useFactory: (app: AppConfig): Required<Customer360ProjectionOptions> => ({
            domain: options.projection?.domain ?? app.domain,
            churn: options.projection?.churn ?? app.churn,
          }),
        },
        {
          provide: CustomerViewService,
          inject: [CustomerReadRepository, RetentionRepository, QUERY_API_EVENT_STORE, ConsistencyService, AuditService, QUERY_API_PROJECTION],
          useFactory: (
            reads: CustomerReadRepository,
            retention: RetentionRepository,
            store: ErasableEventStore,
            consistency: ConsistencyService,
            audit: AuditService,
            projection: Required<Customer360ProjectionOptions>,
          ) => new CustomerViewService(reads, retention, store, consistency, audit, { ...projection, erasureSchema: config.schema }),
        },
        {
          provide: TimelineService,
          inject: [QUERY_API_EVENT_STORE, ConsistencyService, AuditService],
          useFactory: (store: ErasableEventStore, consistency: ConsistencyService, audit: AuditService) => new TimelineService(store, consistency, audit),
        },
        { provide: LookupService, inject: [CustomerReadRepository, AuditService], useFactory: (reads: CustomerReadRepository, audit: AuditService) => new LookupService(reads, audit) },
        {
          provide: ReadModelRefolder,
          inject: [QUERY_API_DATA_SOURCE, QUERY_API_EVENT_STORE, QUERY_API_PROJECTION],
          useFactory: (ds: DataSource, store: ErasableEventStore, projection: Required<Customer360ProjectionOptions>) =>
            new ReadModelRefolder(ds, config.readModelSchema, store, projection),
        },
        {
          provide: ErasureService,
          inject: [QUERY_API_EVENT_STORE, ReadModelRefolder, RetentionRepository, CustomerReadRepository, AuditService, QUERY_API_POOL],
          useFactory: (store: ErasableEventStore, refolder: ReadModelRefolder, retention: RetentionRepository, reads: CustomerReadRepository, audit: AuditService, pool: Pool) =>
            new ErasureService(store, refolder, retention, reads, audit, {
              finalRefoldDelayMs: config.finalRefoldDelayMs,
              ingestorData: new IngestorDataPurger(pool, config.ingestorSchema),
            }),
        },
        {
          provide: RetentionSweeper,
          inject: [RetentionRepository, ErasureService, ReadModelRefolder, AuditService],
          useFactory: (retention: RetentionRepository, erasure: ErasureService, refolder: ReadModelRefolder, audit: AuditService) =>
            new RetentionSweeper(retention, erasure, refolder, audit, config.retentionSweepMs),
        },
        { provide: OpsAuditService, inject: [AuditLogRepository, AuditService], useFactory: (repo: AuditLogRepository, audit: AuditService) => new OpsAuditService(repo, audit) },
        { provide: SegmentsService, inject: [QUERY_API_POOL, AuditService], useFactory: (pool: Pool, audit: AuditService) => new SegmentsService(pool, config.readModelSchema, audit) },
        ClientRateLimitGuard,
        AuditRefusalsFilter,
        QueryApiLifecycle,
      ],
      exports: [ErasureService, RetentionSweeper, AuditService, CustomerViewService],
    };
  }
}
