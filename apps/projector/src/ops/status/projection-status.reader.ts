import type { ProjectionFailure, ProjectionState, ProjectionStatus } from '@c360/projections';
import { lowestCheckpoint, readCheckpoints } from '@c360/read-models';
import type { Pool } from 'pg';
import type { EventStoreStats } from '../event-store-stats';
import { ACTIVE_JOB_STATES, OPS_SCHEMA } from '../ops-store';

/** One projection as operators see it (`c360 projections status`, `GET /v1/ops/projections`). */
export interface ProjectionStatusView {
  readonly name: string;
  /** The workers' state, aggregated (worst first); `no-workers` when no projector reported lately. */
  readonly state: ProjectionState | 'no-workers';
  readonly workers: number;
  readonly partitions: number;
  /** Lowest checkpoint over all partitions: everything up to it is applied (decimal string). */
  readonly position: string | null;
  readonly head: string | null;
  readonly lag: { readonly events: number; readonly capped: boolean; readonly seconds: number };
  readonly ratePerSecond: number;
  readonly lastError: ProjectionFailure | null;
  readonly rebuild: { readonly jobId: string; readonly state: string; readonly progress: number; readonly total: number } | null;
}

export interface ProjectionStatusReaderOptions {
  readonly pool: Pool;
  readonly stats: EventStoreStats;
  readonly readModelSchema: string;
  /** The projections known to this deployment and the event types each handles. */
  readonly projections: ReadonlyArray<{ readonly name: string; readonly eventTypes: readonly string[] }>;
  readonly lagCap?: number;
}

const SEVERITY: ReadonlyArray<ProjectionState> = ['failed', 'starting', 'catching-up', 'paused', 'live', 'stopped'];

/**
 * Status from the database alone — checkpoints (position), the event store (head, lag), the
 * workers' snapshots in c360_ops.worker_status (state, rate, last error) and the active
 * rebuild job — so it answers for a running system from any process, no HTTP needed.
 */
export class ProjectionStatusReader {
  constructor(private readonly options: ProjectionStatusReaderOptions) {}

  async list(): Promise<ProjectionStatusView[]> {
    const { pool, stats, readModelSchema } = this.options;
    const head = await stats.latest();
    const snapshots = await pool
      .query<{ projection: string; status: ProjectionStatus }>(
        `SELECT projection, status FROM ${OPS_SCHEMA}.worker_status WHERE expires_at > now() AND read_model_schema = $1`,
        [readModelSchema],
      )
      .then((r) => r.rows)
      .catch(() => []);
    const jobs = await pool
      .query<{ id: string; projection: string; state: string; progress: string; total: string }>(
        `SELECT id::text AS id, projection, state, progress::text AS progress, total::text AS total FROM ${OPS_SCHEMA}.rebuild_jobs
          WHERE state = ANY($1::text[])`,
        [[...ACTIVE_JOB_STATES]],
      )
      .then((r) => r.rows)
      .catch(() => []);
    const views: ProjectionStatusView[] = [];
    for (const projection of this.options.projections) {
      const checkpoints = await readCheckpoints(pool, readModelSchema, projection.name);
      const position = checkpoints.size > 0 ? lowestCheckpoint(checkpoints) : null;
      const mine = snapshots.filter((s) => s.projection === projection.name).map((s) => s.status);
      const cap = this.options.lagCap ?? 100_000;
      const behind = position === null ? 0 : await stats.count(projection.eventTypes, position, undefined, cap + 1);
      const oldest = position === null || behind === 0 ? null : await stats.oldestAfter(projection.eventTypes, position);
      const job = jobs.find((j) => j.projection === projection.name);
      const errors = mine.map((s) => s.lastError).filter((e): e is ProjectionFailure => e !== null);
      views.push({
        name: projection.name,
        state: mine.length === 0 ? 'no-workers' : (SEVERITY.find((s) => mine.some((m) => m.state === s)) ?? 'stopped'),
        workers: mine.length,
        partitions: checkpoints.size,
        position: position === null ? null : position.toString(),
        head: head.toString(),
        lag: { events: Math.min(behind, cap), capped: behind > cap, seconds: oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0 },
        ratePerSecond: mine.reduce((sum, s) => sum + s.ratePerSecond, 0),
        lastError: errors.sort((a, b) => b.at.localeCompare(a.at))[0] ?? null,
        rebuild: job ? { jobId: job.id, state: job.state, progress: Number(job.progress), total: Number(job.total) } : null,
      });
    }
    return views;
  }
}
