import { PostgresEventStore, type EventStore } from '@c360/event-store';
import type { ProjectionDefinition } from '@c360/projections';
import type { ReadModelRepositories } from '@c360/read-models';
import { Pool } from 'pg';
import { EventStoreStats } from './event-store-stats';
import { migrateOps } from './ops-store';
import { RebuildExecutor } from './rebuild/rebuild-executor';
import { RebuildJobsRepository } from './rebuild/rebuild-jobs.repository';
import { RebuildService } from './rebuild/rebuild.service';
import { ProjectionStatusReader } from './status/projection-status.reader';
import { VerifyService } from './verify/verify.service';

export interface OpsOptions {
  readonly databaseUrl: string;
  readonly readModelSchema: string;
  readonly eventStoreSchema: string;
  /** The projections this deployment runs — the same definitions as the projector's. */
  readonly definitions: readonly ProjectionDefinition<ReadModelRepositories>[];
  /** The store the projections read (the platform may pass a protected store); default PostgreSQL on the URL. */
  readonly eventStore?: EventStore;
  readonly defaultPartitions: number;
  readonly batch: { readonly maxSize: number; readonly maxLatencyMs: number };
  readonly poolMax?: number;
}

/** The operator services, wired by hand (plain objects; the Nest module and the CLI wrap this). */
export interface Ops {
  readonly status: ProjectionStatusReader;
  readonly rebuild: RebuildService;
  readonly verify: VerifyService;
  readonly stats: EventStoreStats;
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
  const eventStore = options.eventStore ?? new PostgresEventStore(pool, { schema: options.eventStoreSchema, pollIntervalMs: 20 });
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
  });
  const rebuild = new RebuildService(jobs, executor);
  const projections = options.definitions.map((d) => ({ name: d.name, eventTypes: d.eventTypes }));
  const status = new ProjectionStatusReader({ pool, stats, readModelSchema: options.readModelSchema, projections });
  const verify = new VerifyService({ pool, stats, readModelSchema: options.readModelSchema, definitions: options.definitions, databaseUrl: options.databaseUrl, eventStore });
  return {
    status,
    rebuild,
    verify,
    stats,
    pool,
    eventStore,
    async close() {
      await rebuild.drain();
      if (ownStore) await eventStore.close();
      await pool.end();
    },
  };
}
