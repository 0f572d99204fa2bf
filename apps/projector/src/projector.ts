import { eventTypeDefinitions } from '@c360/contracts';
import {
  EventTypeRegistry,
  PostgresEventStore,
  PostgresKeyStore,
  ProtectedEventStore,
  type EventStore,
  type MasterKeyring,
} from '@c360/event-store';
import type { MessagePublisher } from '@c360/messaging';
import {
  allPartitions,
  churnView,
  ChurnSweeper,
  customer360Projection,
  segmentsView,
  LeasePartitionAssigner,
  ProjectionRunner,
  StaticPartitionAssigner,
  type ProjectionDefinition,
  type ProjectionStatus,
  type RunnerHooks,
} from '@c360/projections';
import {
  createReadModelDataSource,
  migrateReadModels,
  PostgresLeaseStore,
  TypeOrmDerivedStore,
  TypeOrmProjectionStore,
  type ReadModelRepositories,
  type TransactionTimeouts,
} from '@c360/read-models';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { parseDerivedConfig, type DerivedConfig } from './derived/derived-config';
import { newDerivedTrace, OutboxRelay } from './derived/outbox-relay';
import { SegmentSweeper } from './derived/segment-sweeper';
import { WorkerStatusPublisher } from './ops/status/worker-status.publisher';
import { postgresLagProbe } from './postgres-lag-probe';
import type { ProjectorConfig } from './projector-config';

export interface ProjectorOptions {
  readonly config: ProjectorConfig;
  /** Segments / churn / derived events settings; default from defaults (parseDerivedConfig({})). */
  readonly derived?: DerivedConfig;
  /** Where derived events go (the messaging port); without one the outbox fills and nothing is relayed. */
  readonly publisher?: MessagePublisher;
  /** The clock of the churn sweeper (tests inject one). */
  readonly clock?: () => Date;
  /** The projections to run; default customer-360 with its derived views (segments, churn flags). */
  readonly projections?: readonly ProjectionDefinition<ReadModelRepositories>[];
  /** Defaults to the PostgreSQL store on `config.databaseUrl` (e.g. the platform passes a protected store). */
  readonly eventStore?: EventStore;
  /**
   * Master keys for crypto-shredding: with them the default store decrypts personal fields
   * (and shows erased ones as erased); without them the read models would hold ciphertext.
   */
  readonly masterKeys?: MasterKeyring;
  readonly timeouts?: Partial<TransactionTimeouts>;
  readonly hooks?: RunnerHooks;
}

/**
 * The projector process's core, without Nest: the read-model DataSource (migrated at start),
 * the event store, and one runner per projection with its partition assigner. The Nest
 * module and main.ts are thin wrappers around it; fault tests run it in child processes.
 */
export class Projector {
  readonly runners: ProjectionRunner<ReadModelRepositories>[] = [];
  readonly dataSource: DataSource;
  private readonly eventStore: EventStore;
  private readonly ownPool: Pool | undefined;
  private started = false;
  private sweeper: ChurnSweeper | undefined;
  /** Time-windowed segments follow the clock (same period as the churn sweeper). */
  private segmentSweeper: SegmentSweeper | undefined;
  private relay: OutboxRelay | undefined;
  /** Status snapshots for `c360 projections status` / GET /v1/ops/projections (issue 6). */
  private statusPublisher: WorkerStatusPublisher | undefined;
  /** The derived views' store (segments, churn, outbox, shadow runs), once started. */
  derivedStore: TypeOrmDerivedStore | undefined;

  constructor(private readonly options: ProjectorOptions) {
    const { config } = options;
    this.dataSource = createReadModelDataSource({
      url: config.databaseUrl,
      schema: config.readModelSchema,
      poolMax: config.poolMax,
      applicationName: `c360-projector-${config.workerId}`.slice(0, 63),
    });
    if (options.eventStore) {
      this.eventStore = options.eventStore;
    } else {
      this.ownPool = new Pool({ connectionString: config.databaseUrl, max: 4, connectionTimeoutMillis: 5_000, application_name: 'c360-projector-store' });
      this.ownPool.on('error', () => undefined); // idle connection lost: the next query reconnects
      const plain = new PostgresEventStore(this.ownPool, { schema: config.eventStoreSchema });
      if (options.masterKeys) {
        const registry = new EventTypeRegistry(eventTypeDefinitions());
        this.eventStore = new ProtectedEventStore(plain, {
          registry,
          keyStore: new PostgresKeyStore(this.ownPool),
          masterKeys: options.masterKeys,
        });
      } else {
        this.eventStore = plain;
      }
    }
  }

  /** Why the last timed segment sweep failed (null when it succeeded or has not run): for status and tests. */
  segmentSweeperError(): string | null {
    return this.segmentSweeper?.lastError ?? null;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { config } = this.options;
    await migrateReadModels(this.dataSource);
    const store = new TypeOrmProjectionStore(this.dataSource, { schema: config.readModelSchema, timeouts: this.options.timeouts });
    const leases = new PostgresLeaseStore(this.dataSource, { schema: config.readModelSchema });
    const derived = this.options.derived ?? parseDerivedConfig({});
    const derivedStore = new TypeOrmDerivedStore(this.dataSource, { schema: config.readModelSchema, timeouts: this.options.timeouts });
    this.derivedStore = derivedStore;
    for (const definition of this.options.projections ?? [defaultProjection(derived)]) {
      const assigner =
        config.mode === 'single'
          ? new StaticPartitionAssigner(allPartitions(config.partitions))
          : new LeasePartitionAssigner(leases, {
              projection: definition.name,
              workerId: config.workerId,
              partitionCount: config.partitions,
              ttlMs: config.leaseTtlMs,
            });
      const runner = new ProjectionRunner<ReadModelRepositories>({
        definition,
        eventStore: this.eventStore,
        store,
        assigner,
        workerId: config.workerId,
        partitionCount: config.partitions,
        batch: { maxSize: config.batchSize, maxLatencyMs: config.batchLatencyMs, catchUpMaxSize: config.catchUpBatchSize ?? config.batchSize * 8,
          catchUpMaxCustomers: config.catchUpBatchCustomers },
        bulk: { minEvents: config.bulkMinEvents, chunkEvents: config.bulkChunkEvents },
        hooks: this.options.hooks,
        // Our own store: measure lag past the visibility horizon (F15); an injected store uses the port.
        lagProbe: this.ownPool ? postgresLagProbe(this.ownPool, config.eventStoreSchema) : undefined,
      });
      this.runners.push(runner);
      await runner.start();
    }
    const serviceOptions = {
      domain: derived.domain,
      churn: derived.churn,
      topic: derived.topic,
      pageSize: derived.pageSize,
      clock: this.options.clock,
      // Sweeps are caused by the clock: each starts a trace that its derived events carry.
      newTrace: newDerivedTrace,
    };
    if (derived.sweepIntervalMs > 0) {
      this.sweeper = new ChurnSweeper(derivedStore, { ...serviceOptions, intervalMs: derived.sweepIntervalMs });
      this.sweeper.start();
      this.segmentSweeper = new SegmentSweeper(derivedStore, { ...serviceOptions, intervalMs: derived.sweepIntervalMs });
      this.segmentSweeper.start();
    }
    if (this.options.publisher) {
      this.relay = new OutboxRelay(derivedStore, this.options.publisher, { intervalMs: derived.relayIntervalMs, batchSize: derived.relayBatchSize });
      this.relay.start();
    }
    await this.publishStatus();
  }

  private async publishStatus(): Promise<void> {
    const { config } = this.options;
    this.statusPublisher = new WorkerStatusPublisher({ databaseUrl: config.databaseUrl, workerId: config.workerId, readModelSchema: config.readModelSchema, status: () => this.status() });
    await this.statusPublisher.start();
  }

  status(): ProjectionStatus[] {
    return this.runners.map((r) => r.status());
  }

  runner(name: string): ProjectionRunner<ReadModelRepositories> | undefined {
    return this.runners.find((r) => r.name === name);
  }

  async stop(): Promise<void> {
    await this.statusPublisher?.stop();
    this.statusPublisher = undefined;
    await this.sweeper?.stop();
    await this.segmentSweeper?.stop();
    this.segmentSweeper = undefined;
    await this.relay?.stop();
    this.sweeper = undefined;
    this.relay = undefined;
    await Promise.all(this.runners.map((r) => r.stop()));
    this.runners.length = 0;
    if (this.ownPool) await this.eventStore.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.ownPool?.end();
    this.started = false;
  }
}

/** customer-360 with segment membership and churn flags derived in the same transaction. */
export function defaultProjection(derived: DerivedConfig): ProjectionDefinition<ReadModelRepositories> {
  const options = { domain: derived.domain, churn: derived.churn, topic: derived.topic };
  return customer360Projection({ domain: derived.domain, churn: derived.churn, derived: [segmentsView(options), churnView(options)] });
}
