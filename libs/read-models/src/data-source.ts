import { DataSource } from 'typeorm';
import { Customer360Entity, CustomerIdentityEntity } from './entities/customer-360.entity';
import { ProjectionCheckpointEntity } from './entities/projection-checkpoint.entity';
import { ProjectionLeaseEntity, ProjectionWorkerEntity } from './entities/projection-lease.entity';
import { READ_MODEL_MIGRATIONS } from './migrations/index';
import { assertReadModelSchema, DEFAULT_READ_MODEL_SCHEMA } from './schema-name';

export const READ_MODEL_ENTITIES = [
  ProjectionCheckpointEntity,
  ProjectionLeaseEntity,
  ProjectionWorkerEntity,
  Customer360Entity,
  CustomerIdentityEntity,
];

export interface ReadModelDataSourceOptions {
  readonly url: string;
  /** Target table set; default `read_models`. A rebuild uses its own (shadow) schema. */
  readonly schema?: string;
  readonly poolMax?: number;
  readonly applicationName?: string;
}

/**
 * The read models' DataSource: PostgreSQL, pgcrypto for UUIDs, migrations only (never
 * synchronize). Call `migrateReadModels` before use.
 */
export function createReadModelDataSource(options: ReadModelDataSourceOptions): DataSource {
  const schema = assertReadModelSchema(options.schema ?? DEFAULT_READ_MODEL_SCHEMA);
  return new DataSource({
    type: 'postgres',
    url: options.url,
    schema,
    uuidExtension: 'pgcrypto',
    entities: READ_MODEL_ENTITIES,
    migrations: READ_MODEL_MIGRATIONS,
    migrationsTableName: 'read_model_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: {
      max: options.poolMax ?? 10,
      application_name: options.applicationName ?? 'c360-read-models',
      connectionTimeoutMillis: 5_000,
    },
    // An idle connection lost (PostgreSQL restart) is not fatal: the pool reconnects on the next query.
    poolErrorHandler: () => undefined,
  });
}

/** Creates the schema if needed and runs the pending migrations (idempotent; safe at every boot). */
export async function migrateReadModels(dataSource: DataSource): Promise<void> {
  if (!dataSource.isInitialized) await dataSource.initialize();
  const schema = assertReadModelSchema((dataSource.options as { schema?: string }).schema ?? DEFAULT_READ_MODEL_SCHEMA);
  // The migrations table lives in the schema, so the schema must exist first. Two processes
  // migrating at once serialise on an advisory lock.
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query(`SELECT pg_advisory_lock(hashtext('c360_read_models_migrate'))`);
    await lock.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await lock.query(`SELECT pg_advisory_unlock(hashtext('c360_read_models_migrate'))`).catch(() => undefined);
    await lock.release();
  }
}
