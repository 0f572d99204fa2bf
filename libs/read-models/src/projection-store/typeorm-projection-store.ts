import type { GlobalPosition } from '@c360/event-store';
import {
  FencedError,
  ProjectionError,
  ProjectionErrorCode,
  type Customer360Repositories,
  type DerivedRepositories,
  type BulkProgress,
  type FailureKind,
  type ProjectionStore,
  type ProjectionTransaction,
  type WriterIdentity,
} from '@c360/projections';
import type { DataSource, EntityManager } from 'typeorm';
import { Customer360TypeOrmRepository } from '../customer-360/customer-360.typeorm-repository';
import { derivedRepositories } from '../derived/derived.typeorm-repositories';
import { ProjectionUnitOfWork } from './batch-unit-of-work';
import { classifyPostgresFailure } from '../pg-failures';
import { assertReadModelSchema, DEFAULT_READ_MODEL_SCHEMA } from '../schema-name';

/** Every repository a projection may ask for; projections declare the subset they use. */
export type ReadModelRepositories = Customer360Repositories & DerivedRepositories;

export interface TransactionTimeouts {
  /** Waiting for a row lock (someone else's long transaction, F15): fail and retry after. Default 5 s. */
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
  /**
   * A worker frozen mid-transaction (SIGSTOP, F4) loses its session after this, releasing
   * its locks so the partition's new owner is not blocked behind a zombie. Default 5 s.
   */
  readonly idleInTransactionTimeoutMs: number;
}

/**
 * work_mem of a projection transaction. A batch's rows go to PostgreSQL as one JSON document
 * (jsonb_to_recordset), which the server materialises: a catch-up batch of a thousand 4 KB
 * states is past the 4 MB default and was spilled to a temporary file on every flush. For the
 * projector's few connections only, for the transaction only.
 */
const BATCH_WORK_MEM = '64MB';

export const DEFAULT_TRANSACTION_TIMEOUTS: TransactionTimeouts = {
  lockTimeoutMs: 5_000,
  statementTimeoutMs: 30_000,
  idleInTransactionTimeoutMs: 5_000,
};

export interface TypeOrmProjectionStoreOptions {
  /** Target table set (the seam for rebuilds into a shadow schema). Default `read_models`. */
  readonly schema?: string;
  readonly timeouts?: Partial<TransactionTimeouts>;
  /**
   * `batched` (default): the repositories serve the batch's reads from a set-based prefetch and
   * buffer its writes, flushed set-based before commit (ProjectionUnitOfWork). `direct`: one
   * statement per repository call (the reference behaviour; tests compare the two).
   */
  readonly writes?: 'batched' | 'direct';
}

/** The ProjectionStore port on PostgreSQL through TypeORM: rows, checkpoints and the lease check in one transaction. */
export class TypeOrmProjectionStore implements ProjectionStore<ReadModelRepositories> {
  readonly schema: string;
  private readonly timeouts: TransactionTimeouts;
  private readonly batched: boolean;

  constructor(
    private readonly dataSource: DataSource,
    options: TypeOrmProjectionStoreOptions = {},
  ) {
    this.schema = assertReadModelSchema(options.schema ?? DEFAULT_READ_MODEL_SCHEMA);
    this.timeouts = { ...DEFAULT_TRANSACTION_TIMEOUTS, ...options.timeouts };
    this.batched = (options.writes ?? 'batched') === 'batched';
  }

  async registerProjection(projection: string, partitionCount: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.projection_checkpoints (projection, partition, partition_count)
       SELECT $1, p, $2 FROM generate_series(0, $2 - 1) AS p ON CONFLICT DO NOTHING`,
      [projection, partitionCount],
    );
    const rows = await this.dataSource.query<Array<{ partition_count: number }>>(
      `SELECT DISTINCT partition_count FROM ${this.schema}.projection_checkpoints WHERE projection = $1`,
      [projection],
    );
    if (rows.length !== 1 || rows[0]?.partition_count !== partitionCount)
      throw new ProjectionError(
        ProjectionErrorCode.PartitionCountMismatch,
        `projection ${projection} was created with another partition count; rebuild it to change the count`,
        { projection, partitionCount },
      );
  }

  async loadCheckpoints(projection: string, partitions: readonly number[]): Promise<Map<number, GlobalPosition>> {
    const rows = await this.dataSource.query<Array<{ partition: number; position: string }>>(
      `SELECT partition, position::text AS position FROM ${this.schema}.projection_checkpoints
        WHERE projection = $1 AND partition = ANY($2::int[])`,
      [projection, [...partitions]],
    );
    const found = new Map(rows.map((r) => [r.partition, BigInt(r.position)]));
    return new Map(partitions.map((p) => [p, found.get(p) ?? 0n]));
  }

  async loadBulkProgress(projection: string): Promise<BulkProgress | null> {
    const rows = await this.dataSource.query<Array<{ up_to: string; after_stream: string | null }>>(
      `SELECT up_to::text AS up_to, after_stream FROM ${this.schema}.projection_bulk_progress WHERE projection = $1`,
      [projection],
    );
    const row = rows[0];
    return row ? { upTo: BigInt(row.up_to), afterStream: row.after_stream } : null;
  }

  transaction<T>(work: (tx: ProjectionTransaction<ReadModelRepositories>) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('READ COMMITTED', async (manager) => {
      const t = this.timeouts;
      await manager.query(
        `SELECT set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true),
                set_config('idle_in_transaction_session_timeout', $3, true), set_config('work_mem', $4, true)`,
        [`${t.lockTimeoutMs}ms`, `${t.statementTimeoutMs}ms`, `${t.idleInTransactionTimeoutMs}ms`, BATCH_WORK_MEM],
      );
      const unit = this.batched ? new ProjectionUnitOfWork(manager, this.schema) : undefined;
      const result = await work(this.bind(manager, unit));
      await unit?.flush();
      return result;
    });
  }

  classifyFailure(error: unknown): FailureKind {
    return classifyPostgresFailure(error);
  }

  private bind(manager: EntityManager, unit: ProjectionUnitOfWork | undefined): ProjectionTransaction<ReadModelRepositories> {
    const s = this.schema;
    return {
      repositories: unit ? unit.repositories : { customer360: new Customer360TypeOrmRepository(manager, s), ...derivedRepositories(manager, s) },
      flush: async () => unit?.flush(),
      async assertLeases(projection: string, writer: WriterIdentity): Promise<void> {
        if (!writer.fenced) return;
        // FOR SHARE: a takeover (UPDATE of the lease) waits for this commit, so the check holds until then (F4).
        const rows = await manager.query<Array<{ partition: number; owner: string | null; epoch: string }>>(
          `SELECT partition, owner, epoch::text AS epoch FROM ${s}.projection_leases
            WHERE projection = $1 AND partition = ANY($2::int[]) FOR SHARE`,
          [projection, writer.leases.map((l) => l.partition)],
        );
        const current = new Map(rows.map((r) => [r.partition, r]));
        const lost = writer.leases
          .filter((l) => {
            const row = current.get(l.partition);
            return !row || row.owner !== writer.workerId || Number(row.epoch) !== l.epoch;
          })
          .map((l) => l.partition);
        if (lost.length > 0) throw new FencedError(projection, lost);
      },
      async saveCheckpoints(projection: string, partitions: readonly number[], position: GlobalPosition): Promise<void> {
        await manager.query(
          `UPDATE ${s}.projection_checkpoints SET position = GREATEST(position, $3::numeric), updated_at = now()
            WHERE projection = $1 AND partition = ANY($2::int[])`,
          [projection, [...partitions], position.toString()],
        );
      },
      async saveBulkProgress(projection: string, progress: BulkProgress | null): Promise<void> {
        if (progress === null) {
          await manager.query(`DELETE FROM ${s}.projection_bulk_progress WHERE projection = $1`, [projection]);
          return;
        }
        await manager.query(
          `INSERT INTO ${s}.projection_bulk_progress (projection, up_to, after_stream) VALUES ($1, $2::numeric, $3)
           ON CONFLICT (projection) DO UPDATE SET up_to = EXCLUDED.up_to, after_stream = EXCLUDED.after_stream, updated_at = now()`,
          [projection, progress.upTo.toString(), progress.afterStream],
        );
      },
    };
  }
}
