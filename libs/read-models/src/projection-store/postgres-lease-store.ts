import {
  ProjectionError,
  ProjectionErrorCode,
  type LeaseStore,
  type LeaseTiming,
  type PartitionLease,
} from '@c360/projections';
import type { DataSource } from 'typeorm';
import { assertReadModelSchema, DEFAULT_READ_MODEL_SCHEMA } from '../schema-name';

type LeaseRow = { partition: number; epoch: string };

const toLeases = (rows: LeaseRow[]): PartitionLease[] =>
  rows.map((r) => ({ partition: r.partition, epoch: Number(r.epoch) })).sort((a, b) => a.partition - b.partition);

/** Partition leases and worker liveness in PostgreSQL; time is the server's clock (one clock for all workers). */
export class PostgresLeaseStore implements LeaseStore {
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    options: { readonly schema?: string } = {},
  ) {
    this.schema = assertReadModelSchema(options.schema ?? DEFAULT_READ_MODEL_SCHEMA);
  }

  async registerPartitions(projection: string, partitionCount: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.schema}.projection_leases (projection, partition)
       SELECT $1, p FROM generate_series(0, $2 - 1) AS p ON CONFLICT DO NOTHING`,
      [projection, partitionCount],
    );
    const rows = await this.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM ${this.schema}.projection_leases WHERE projection = $1`,
      [projection],
    );
    if (rows[0]?.n !== partitionCount)
      throw new ProjectionError(ProjectionErrorCode.PartitionCountMismatch, `projection ${projection} has ${rows[0]?.n} lease rows, not ${partitionCount}`);
  }

  async heartbeat(projection: string, workerId: string, timing: LeaseTiming): Promise<number> {
    const rows = await this.dataSource.query<Array<{ live: number }>>(
      `WITH beat AS (
         INSERT INTO ${this.schema}.projection_workers (projection, worker_id, expires_at)
         VALUES ($1, $2, now() + $3 * interval '1 millisecond')
         ON CONFLICT (projection, worker_id) DO UPDATE SET expires_at = EXCLUDED.expires_at)
       SELECT 1 + count(*)::int AS live FROM ${this.schema}.projection_workers
        WHERE projection = $1 AND worker_id <> $2 AND expires_at > now()`,
      [projection, workerId, timing.ttlMs],
    );
    return rows[0]?.live ?? 1;
  }

  async renew(projection: string, workerId: string, leases: readonly PartitionLease[], timing: LeaseTiming): Promise<PartitionLease[]> {
    if (leases.length === 0) return [];
    const rows = await this.dataSource.query<[LeaseRow[], number] | LeaseRow[]>(
      `UPDATE ${this.schema}.projection_leases l SET expires_at = now() + $5 * interval '1 millisecond'
         FROM unnest($3::int[], $4::bigint[]) AS h(partition, epoch)
        WHERE l.projection = $1 AND l.owner = $2 AND l.partition = h.partition AND l.epoch = h.epoch
        RETURNING l.partition, l.epoch::text AS epoch`,
      [projection, workerId, leases.map((l) => l.partition), leases.map((l) => l.epoch), timing.ttlMs],
    );
    return toLeases(returned(rows));
  }

  async acquire(projection: string, workerId: string, max: number, timing: LeaseTiming): Promise<PartitionLease[]> {
    if (max <= 0) return [];
    // SKIP LOCKED: a lease row held FOR SHARE by a writer in flight is not waited for.
    const rows = await this.dataSource.query<[LeaseRow[], number] | LeaseRow[]>(
      `UPDATE ${this.schema}.projection_leases l SET owner = $2, epoch = l.epoch + 1,
              expires_at = now() + $4 * interval '1 millisecond'
         FROM (SELECT partition FROM ${this.schema}.projection_leases
                WHERE projection = $1 AND (owner IS NULL OR expires_at IS NULL OR expires_at < now())
                ORDER BY partition LIMIT $3 FOR UPDATE SKIP LOCKED) AS free
        WHERE l.projection = $1 AND l.partition = free.partition
        RETURNING l.partition, l.epoch::text AS epoch`,
      [projection, workerId, max, timing.ttlMs],
    );
    return toLeases(returned(rows));
  }

  async release(projection: string, workerId: string, partitions: readonly number[]): Promise<void> {
    if (partitions.length === 0) return;
    await this.dataSource.query(
      `UPDATE ${this.schema}.projection_leases SET owner = NULL, expires_at = NULL
        WHERE projection = $1 AND owner = $2 AND partition = ANY($3::int[])`,
      [projection, workerId, [...partitions]],
    );
  }

  async leave(projection: string, workerId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM ${this.schema}.projection_workers WHERE projection = $1 AND worker_id = $2`, [
      projection,
      workerId,
    ]);
  }
}

/** TypeORM's postgres driver answers UPDATE … RETURNING with [rows, affected]. */
function returned(result: [LeaseRow[], number] | LeaseRow[]): LeaseRow[] {
  const first = result[0];
  return Array.isArray(first) ? first : (result as LeaseRow[]);
}
