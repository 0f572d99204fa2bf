import type { ProjectionStatus } from '@c360/projections';
import { Pool } from 'pg';
import { migrateOps, OPS_SCHEMA } from '../ops-store';

export interface WorkerStatusPublisherOptions {
  readonly databaseUrl: string;
  readonly workerId: string;
  readonly readModelSchema: string;
  readonly status: () => readonly ProjectionStatus[];
  /** Default 2 s; a snapshot is trusted for three intervals. */
  readonly intervalMs?: number;
}

/**
 * Writes the projector's runner statuses (state, rate, last error) to `c360_ops.worker_status`
 * every few seconds, so `c360 projections status` and `GET /v1/ops/projections` can show them
 * from the database, whichever process runs the workers. Failures are ignored: status is
 * best effort and must never disturb the projection.
 */
export class WorkerStatusPublisher {
  private readonly pool: Pool;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private readonly intervalMs: number;

  constructor(private readonly options: WorkerStatusPublisherOptions) {
    this.intervalMs = options.intervalMs ?? 2_000;
    this.pool = new Pool({ connectionString: options.databaseUrl, max: 1, connectionTimeoutMillis: 5_000, application_name: 'c360-projector-status' });
    this.pool.on('error', () => undefined);
  }

  async start(): Promise<void> {
    await migrateOps(this.pool).catch(() => undefined);
    await this.publish();
    this.timer = setInterval(() => void this.publish(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
    const names = this.options.status().map((s) => s.name);
    await this.pool
      .query(`DELETE FROM ${OPS_SCHEMA}.worker_status WHERE worker_id = $1 AND projection = ANY($2::text[])`, [this.options.workerId, names])
      .catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  private publish(): Promise<void> {
    this.writing ??= this.write()
      .catch(() => undefined)
      .finally(() => {
        this.writing = undefined;
      });
    return this.writing;
  }

  private async write(): Promise<void> {
    const statuses = this.options.status();
    if (statuses.length === 0) return;
    await this.pool.query(
      `INSERT INTO ${OPS_SCHEMA}.worker_status (projection, worker_id, read_model_schema, status, updated_at, expires_at)
       SELECT s.projection, $1, $2, s.status, now(), now() + $3 * interval '1 millisecond'
         FROM unnest($4::text[], $5::jsonb[]) AS s(projection, status)
       ON CONFLICT (projection, worker_id) DO UPDATE SET status = EXCLUDED.status, read_model_schema = EXCLUDED.read_model_schema,
         updated_at = EXCLUDED.updated_at, expires_at = EXCLUDED.expires_at`,
      [this.options.workerId, this.options.readModelSchema, this.intervalMs * 3, statuses.map((s) => s.name), statuses.map((s) => JSON.stringify(s))],
    );
  }
}
