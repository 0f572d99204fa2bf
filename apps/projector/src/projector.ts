import { PostgresEventStore, type EventStore } from '@c360/event-store';
import {
  allPartitions,
  customer360Projection,
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
  TypeOrmProjectionStore,
  type ReadModelRepositories,
  type TransactionTimeouts,
} from '@c360/read-models';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { postgresLagProbe } from './postgres-lag-probe';
import type { ProjectorConfig } from './projector-config';

export interface ProjectorOptions {
  readonly config: ProjectorConfig;
  /** The projections to run; default customer-360. Others (segments, churn) add theirs here. */
  readonly projections?: readonly ProjectionDefinition<ReadModelRepositories>[];
  /** Defaults to the PostgreSQL store on `config.databaseUrl` (e.g. the platform passes a protected store). */
  readonly eventStore?: EventStore;
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
      this.eventStore = new PostgresEventStore(this.ownPool, { schema: config.eventStoreSchema });
    }
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { config } = this.options;
    await migrateReadModels(this.dataSource);
    const store = new TypeOrmProjectionStore(this.dataSource, { schema: config.readModelSchema, timeouts: this.options.timeouts });
    const leases = new PostgresLeaseStore(this.dataSource, { schema: config.readModelSchema });
    for (const definition of this.options.projections ?? [customer360Projection()]) {
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
        batch: { maxSize: config.batchSize, maxLatencyMs: config.batchLatencyMs },
        hooks: this.options.hooks,
        // Our own store: measure lag past the visibility horizon (F15); an injected store uses the port.
        lagProbe: this.ownPool ? postgresLagProbe(this.ownPool, config.eventStoreSchema) : undefined,
      });
      this.runners.push(runner);
      await runner.start();
    }
  }

  status(): ProjectionStatus[] {
    return this.runners.map((r) => r.status());
  }

  runner(name: string): ProjectionRunner<ReadModelRepositories> | undefined {
    return this.runners.find((r) => r.name === name);
  }

  async stop(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
    this.runners.length = 0;
    if (this.ownPool) await this.eventStore.close();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.ownPool?.end();
    this.started = false;
  }
}
