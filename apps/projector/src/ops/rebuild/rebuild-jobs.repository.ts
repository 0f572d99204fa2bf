import type { Pool, PoolClient } from 'pg';
import { OpsError, OpsErrorCode } from '../ops.errors';
import { ACTIVE_JOB_STATES, OPS_SCHEMA } from '../ops-store';
import type { RebuildJob, RebuildJobState } from './rebuild-job';

interface JobRow {
  id: string;
  projection: string;
  kind: 'full' | 'customers';
  customers: string[];
  dry_run: boolean;
  state: RebuildJobState;
  shadow_schema: string;
  retired_schema: string;
  progress: string;
  total: string;
  rate: number;
  eta_seconds: number | null;
  attempts: number;
  resumed_from: string | null;
  applied_last_attempt: string;
  diff: RebuildJob['diff'];
  result: RebuildJob['result'];
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const toJob = (r: JobRow): RebuildJob => ({
  id: r.id,
  projection: r.projection,
  kind: r.kind,
  customers: r.customers,
  dryRun: r.dry_run,
  state: r.state,
  shadowSchema: r.shadow_schema,
  retiredSchema: r.retired_schema,
  progress: Number(r.progress),
  total: Number(r.total),
  ratePerSecond: r.rate,
  etaSeconds: r.eta_seconds,
  attempts: r.attempts,
  resumedFrom: r.resumed_from === null ? null : Number(r.resumed_from),
  appliedLastAttempt: Number(r.applied_last_attempt),
  diff: r.diff,
  result: r.result,
  error: r.error,
  createdAt: r.created_at.toISOString(),
  startedAt: r.started_at?.toISOString() ?? null,
  finishedAt: r.finished_at?.toISOString() ?? null,
});

const COLUMNS = `id::text AS id, projection, kind, customers, dry_run, state, shadow_schema, retired_schema, progress::text AS progress,
  total::text AS total, rate, eta_seconds, attempts, resumed_from::text AS resumed_from, applied_last_attempt::text AS applied_last_attempt,
  diff, result, error, created_at, started_at, finished_at`;

export interface NewRebuildJob {
  readonly projection: string;
  readonly customers: readonly string[];
  readonly dryRun: boolean;
  readonly requestedBy: string;
}

/** The job table (c360_ops.rebuild_jobs); one active job per projection is the unique partial index. */
export class RebuildJobsRepository {
  constructor(private readonly pool: Pool) {}

  async create(request: NewRebuildJob): Promise<RebuildJob> {
    const suffix = request.projection.replace(/-/g, '_').slice(0, 30);
    try {
      const r = await this.pool.query<JobRow>(
        `WITH id AS (SELECT gen_random_uuid() AS id)
         INSERT INTO ${OPS_SCHEMA}.rebuild_jobs (id, projection, kind, customers, dry_run, state, shadow_schema, retired_schema, requested_by)
         SELECT id.id, $1, $2, $3::text[], $4, 'pending', 'rebuild_' || $5 || '_' || left(replace(id.id::text, '-', ''), 12),
                'retired_' || $5 || '_' || left(replace(id.id::text, '-', ''), 12), $6 FROM id
         RETURNING ${COLUMNS}`,
        [request.projection, request.customers.length > 0 ? 'customers' : 'full', [...request.customers], request.dryRun, suffix, request.requestedBy],
      );
      const row = r.rows[0];
      if (!row) throw new Error('insert returned no row');
      return toJob(row);
    } catch (e) {
      if ((e as { code?: unknown }).code === '23505') {
        const active = await this.active(request.projection);
        throw new OpsError(OpsErrorCode.RebuildInProgress, `a rebuild of ${request.projection} is already running (job ${active?.id ?? '?'}); wait for it or cancel it`, {
          jobId: active?.id ?? null,
        });
      }
      throw e;
    }
  }

  async get(id: string): Promise<RebuildJob | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    const r = await this.pool.query<JobRow>(`SELECT ${COLUMNS} FROM ${OPS_SCHEMA}.rebuild_jobs WHERE id = $1`, [id]);
    return r.rows[0] ? toJob(r.rows[0]) : null;
  }

  async active(projection: string): Promise<RebuildJob | null> {
    const r = await this.pool.query<JobRow>(`SELECT ${COLUMNS} FROM ${OPS_SCHEMA}.rebuild_jobs WHERE projection = $1 AND state = ANY($2::text[])`, [
      projection,
      [...ACTIVE_JOB_STATES],
    ]);
    return r.rows[0] ? toJob(r.rows[0]) : null;
  }

  /** Active jobs not updated for `staleAfterMs` (a running executor writes progress several times a second). */
  async stale(staleAfterMs: number): Promise<RebuildJob[]> {
    const r = await this.pool.query<JobRow>(
      `SELECT ${COLUMNS} FROM ${OPS_SCHEMA}.rebuild_jobs WHERE state = ANY($1::text[]) AND updated_at < now() - make_interval(secs => $2) ORDER BY created_at`,
      [[...ACTIVE_JOB_STATES], staleAfterMs / 1000],
    );
    return r.rows.map(toJob);
  }

  async setState(id: string, state: RebuildJobState, db: Pick<PoolClient, 'query'> | Pool = this.pool): Promise<void> {
    await db.query(
      `UPDATE ${OPS_SCHEMA}.rebuild_jobs SET state = $2, updated_at = now(),
         started_at = CASE WHEN $2 = 'building' THEN coalesce(started_at, now()) ELSE started_at END WHERE id = $1`,
      [id, state],
    );
  }

  /** A run begins: counts the attempt and where it resumed from. */
  async beginAttempt(id: string, resumedFrom: number | null): Promise<void> {
    await this.pool.query(
      `UPDATE ${OPS_SCHEMA}.rebuild_jobs SET attempts = attempts + 1, resumed_from = $2, applied_last_attempt = 0, updated_at = now() WHERE id = $1`,
      [id, resumedFrom],
    );
  }

  async progress(id: string, p: { progress: number; total: number; rate: number; etaSeconds: number | null; applied: number }): Promise<void> {
    await this.pool.query(
      `UPDATE ${OPS_SCHEMA}.rebuild_jobs SET progress = $2, total = $3, rate = $4, eta_seconds = $5, applied_last_attempt = $6, updated_at = now() WHERE id = $1`,
      [id, p.progress, p.total, p.rate, p.etaSeconds, p.applied],
    );
  }

  async setDiff(id: string, diff: RebuildJob['diff']): Promise<void> {
    await this.pool.query(`UPDATE ${OPS_SCHEMA}.rebuild_jobs SET diff = $2::jsonb, updated_at = now() WHERE id = $1`, [id, JSON.stringify(diff)]);
  }

  async finish(id: string, state: 'done' | 'cancelled' | 'failed', extra: { result?: RebuildJob['result']; error?: string } = {}): Promise<void> {
    await this.pool.query(
      `UPDATE ${OPS_SCHEMA}.rebuild_jobs SET state = $2, result = coalesce($3::jsonb, result), error = $4, finished_at = now(), updated_at = now(),
         total = CASE WHEN $2 = 'done' THEN progress ELSE total END,
         eta_seconds = NULL WHERE id = $1`,
      [id, state, extra.result === undefined ? null : JSON.stringify(extra.result), extra.error ?? null],
    );
  }

  /** Asks the running executor to stop (it polls the state). Only building/pending jobs can be cancelled. */
  async requestCancel(id: string): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE ${OPS_SCHEMA}.rebuild_jobs SET state = 'cancelling', updated_at = now() WHERE id = $1 AND state IN ('pending', 'building', 'cancelling')`,
      [id],
    );
    return (r.rowCount ?? 0) > 0;
  }
}
