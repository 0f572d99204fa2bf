import type { Pool } from 'pg';
import { assertIdentifier } from './sql-client';
import { withPooledClient } from '@c360/event-store';

/**
 * The query API's own tables, in their own schema (default `query_api`): the append-only
 * audit log, legal retentions and erasure requests. They are not read models — nothing
 * rebuilds them from events, and a blue/green swap of the read-model schema must never
 * touch them — so they live beside, not inside, `read_models`.
 */
export const DEFAULT_QUERY_API_SCHEMA = 'query_api';

interface Migration {
  readonly id: string;
  readonly sql: (s: string) => string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    id: '0001-audit-log',
    sql: (s) => `
      CREATE TABLE ${s}.audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        request_id text,
        client text NOT NULL,            -- token subject (a service or operator id, never a customer's data)
        token_id text,
        action text NOT NULL,            -- customer.view, customer.timeline, customer.lookup, customer.erase, ops.audit …
        customer_id text,                -- the bank's customer number (CIF), or null
        fields text[] NOT NULL DEFAULT '{}',
        pii_shown boolean NOT NULL,
        outcome text NOT NULL,           -- ok, not-found, denied, restricted, erased, restricted-until, requested, failed
        detail jsonb NOT NULL DEFAULT '{}'::jsonb  -- non-personal context (view time, scheme, counts, scopes)
      );
      CREATE INDEX audit_log_customer_idx ON ${s}.audit_log (customer_id, at DESC);
      CREATE INDEX audit_log_client_idx ON ${s}.audit_log (client, at DESC);
      CREATE INDEX audit_log_at_idx ON ${s}.audit_log (at DESC);
      -- Append-only: UPDATE, DELETE and TRUNCATE are refused by the database itself.
      CREATE FUNCTION ${s}.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON ${s}.audit_log
        FOR EACH ROW EXECUTE FUNCTION ${s}.audit_log_append_only();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON ${s}.audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION ${s}.audit_log_append_only();`,
  },
  {
    id: '0002-retention-and-erasure',
    sql: (s) => `
      CREATE TABLE ${s}.customer_retention (
        customer_id text PRIMARY KEY,
        basis text NOT NULL,             -- e.g. aml (anti-money-laundering record keeping)
        retain_until timestamptz NOT NULL,
        set_by text NOT NULL,
        set_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE ${s}.erasure_requests (
        customer_id text PRIMARY KEY,
        status text NOT NULL CHECK (status IN ('restricted', 'erased')),
        requested_by text NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        reason text NOT NULL,
        restricted_until timestamptz,
        erased_at timestamptz,
        -- a second re-fold once every process's key cache has expired (another process may
        -- have re-folded from a cached key just after the erasure)
        final_refold_due timestamptz,
        final_refold_done_at timestamptz
      );
      CREATE INDEX erasure_requests_due_idx ON ${s}.erasure_requests (restricted_until) WHERE status = 'restricted';
      CREATE INDEX erasure_requests_refold_idx ON ${s}.erasure_requests (final_refold_due) WHERE final_refold_done_at IS NULL;`,
  },
];

/** Creates the schema and runs pending migrations (advisory-locked, idempotent; safe at every boot). */
export async function migrateQueryApi(pool: Pool, schema: string = DEFAULT_QUERY_API_SCHEMA): Promise<void> {
  const s = assertIdentifier(schema);
  return withPooledClient(pool, async (client) => {
    await client.query(`SELECT pg_advisory_lock(hashtext('c360_query_api_migrate'))`);
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${s}.query_api_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
      const done = new Set((await client.query<{ id: string }>(`SELECT id FROM ${s}.query_api_migrations`)).rows.map((r) => r.id));
      for (const m of MIGRATIONS) {
        if (done.has(m.id)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql(s));
          await client.query(`INSERT INTO ${s}.query_api_migrations (id) VALUES ($1)`, [m.id]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK');
          throw e;
        }
      }
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('c360_query_api_migrate'))`);
    }
  });
}
