import { hostname } from 'node:os';
import { DEFAULT_PARTITION_COUNT } from '@c360/projections';

/**
 * The projector's settings. Parsed once from an environment record (main.ts passes
 * process.env); a bad value stops the start with its name. libs/config holds the
 * platform-wide settings but none of these yet — move them there when it grows a
 * projector section.
 */
export interface ProjectorConfig {
  readonly databaseUrl: string;
  /** Unique per process; leases are held under it. */
  readonly workerId: string;
  readonly partitions: number;
  /** `leases`: several processes share partitions; `single`: this process owns all, no lease table. */
  readonly mode: 'leases' | 'single';
  readonly leaseTtlMs: number;
  readonly batchSize: number;
  /**
   * Largest batch while catching up (batches double from batchSize while the projector is
   * behind, and drop back once it is live). Null: 8 × batchSize.
   */
  readonly catchUpBatchSize: number | null;
  /** Catch-up batches stop growing at about this many customers (the batch's memory). */
  readonly catchUpBatchCustomers: number;
  readonly batchLatencyMs: number;
  /**
   * Bulk catch-up (ProjectionRunner): a projection starting from nothing with at least this many
   * events folds the history stream by stream, each row written once. 0 disables it.
   */
  readonly bulkMinEvents: number;
  /** Events per bulk transaction. */
  readonly bulkChunkEvents: number;
  readonly readModelSchema: string;
  readonly eventStoreSchema: string;
  readonly poolMax: number;
}

export class ProjectorConfigError extends Error {
  constructor(
    readonly setting: string,
    rule: string,
  ) {
    super(`${setting}: ${rule}`);
    this.name = 'ProjectorConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const int = (env: Env, name: string, fallback: number, min: number, max: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ProjectorConfigError(name, `an integer ${min}-${max}`);
  return n;
};

const identifier = (env: Env, name: string, fallback: string): string => {
  const value = env[name] ?? fallback;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value)) throw new ProjectorConfigError(name, 'a lower-case SQL identifier');
  return value;
};

export function parseProjectorConfig(env: Env): ProjectorConfig {
  const databaseUrl = env['DATABASE_URL'];
  if (!databaseUrl || !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new ProjectorConfigError('DATABASE_URL', 'a postgres:// or postgresql:// URL');
  const mode = env['PROJECTOR_MODE'] ?? 'leases';
  if (mode !== 'leases' && mode !== 'single') throw new ProjectorConfigError('PROJECTOR_MODE', 'leases or single');
  const workerId = env['PROJECTOR_WORKER_ID'] ?? `${hostname()}-${process.pid}`;
  if (!/^[\w.:-]{1,100}$/.test(workerId)) throw new ProjectorConfigError('PROJECTOR_WORKER_ID', '1-100 of [A-Za-z0-9_.:-]');
  return {
    databaseUrl,
    workerId,
    mode,
    partitions: int(env, 'PROJECTOR_PARTITIONS', DEFAULT_PARTITION_COUNT, 1, 4096),
    leaseTtlMs: int(env, 'PROJECTOR_LEASE_TTL_MS', 10_000, 500, 600_000),
    batchSize: int(env, 'PROJECTOR_BATCH_SIZE', 500, 1, 100_000),
    catchUpBatchSize: env['PROJECTOR_CATCH_UP_BATCH_SIZE'] ? int(env, 'PROJECTOR_CATCH_UP_BATCH_SIZE', 0, 1, 100_000) : null,
    catchUpBatchCustomers: int(env, 'PROJECTOR_CATCH_UP_BATCH_CUSTOMERS', 2_000, 1, 100_000),
    batchLatencyMs: int(env, 'PROJECTOR_BATCH_LATENCY_MS', 25, 0, 60_000),
    bulkMinEvents: int(env, 'PROJECTOR_BULK_MIN_EVENTS', 10_000, 0, 1_000_000_000),
    bulkChunkEvents: int(env, 'PROJECTOR_BULK_CHUNK_EVENTS', 4_000, 1, 100_000),
    readModelSchema: identifier(env, 'READ_MODEL_SCHEMA', 'read_models'),
    eventStoreSchema: identifier(env, 'EVENT_STORE_SCHEMA', 'event_store'),
    poolMax: int(env, 'DATABASE_POOL_MAX', 10, 2, 200),
  };
}
