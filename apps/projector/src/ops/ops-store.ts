import { runSqlMigrations, type SqlMigration } from '@c360/event-store';
import type { Pool } from 'pg';

/**
 * The operator tables, in a schema of their own (`c360_ops`) so that no read-model swap ever
 * moves them: rebuild jobs (one active per projection, by a unique partial index), replay jobs
 * (POST /v1/ops/replay) and the projector workers' status snapshots (what `projections status`
 * reads without HTTP).
 */
export const OPS_SCHEMA = 'c360_ops';

export const ACTIVE_JOB_STATES = ['pending', 'building', 'swapping', 'swapped', 'cancelling'] as const;

const migrations: SqlMigration[] = [
  {
    id: '001-ops',
    sql: `
CREATE TABLE ${OPS_SCHEMA}.rebuild_jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  projection text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('full', 'customers')),
  customers text[] NOT NULL DEFAULT '{}',
  dry_run boolean NOT NULL DEFAULT false,
  state text NOT NULL CHECK (state IN ('pending', 'building', 'swapping', 'swapped', 'done', 'cancelling', 'cancelled', 'failed')),
  shadow_schema text NOT NULL,
  retired_schema text NOT NULL,
  partition_count int,
  progress bigint NOT NULL DEFAULT 0,
  total bigint NOT NULL DEFAULT 0,
  rate double precision NOT NULL DEFAULT 0,
  eta_seconds double precision,
  attempts int NOT NULL DEFAULT 0,
  resumed_from bigint,
  applied_last_attempt bigint NOT NULL DEFAULT 0,
  diff jsonb,
  result jsonb,
  error text,
  requested_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX rebuild_jobs_one_active ON ${OPS_SCHEMA}.rebuild_jobs (projection)
  WHERE state IN (${ACTIVE_JOB_STATES.map((s) => `'${s}'`).join(', ')});
CREATE INDEX rebuild_jobs_recent ON ${OPS_SCHEMA}.rebuild_jobs (projection, created_at DESC);
CREATE TABLE ${OPS_SCHEMA}.worker_status (
  projection text NOT NULL,
  worker_id text NOT NULL,
  read_model_schema text NOT NULL,
  status jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (projection, worker_id)
);
`,
  },
  {
    id: '002-replay-jobs',
    sql: `
CREATE TABLE ${OPS_SCHEMA}.replay_jobs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  request jsonb NOT NULL,
  state text NOT NULL CHECK (state IN ('running', 'done', 'cancelled', 'failed')),
  published bigint NOT NULL DEFAULT 0,
  total bigint NOT NULL DEFAULT 0,
  rate double precision NOT NULL DEFAULT 0,
  error text,
  requested_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX replay_jobs_recent ON ${OPS_SCHEMA}.replay_jobs (created_at DESC);
`,
  },
];

/** Creates the ops schema and tables if needed (idempotent; safe from several processes). */
export async function migrateOps(pool: Pool): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${OPS_SCHEMA}`);
  } catch (e) {
    // two processes creating it at once: the loser sees a unique violation
    if ((e as { code?: unknown }).code !== '23505') throw e;
  }
  await runSqlMigrations(pool, `${OPS_SCHEMA}.schema_migrations`, migrations);
}
