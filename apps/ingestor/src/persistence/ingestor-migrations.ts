import type { Pool } from 'pg';
import { runSqlMigrations, type SqlMigration } from '@c360/event-store';

export const DEFAULT_INGESTOR_SCHEMA = 'ingestor';

/**
 * The ingestor's own tables (beside the event store):
 * - identity_links: channel identity → customer. The identity value is personal data (a phone
 *   number, a national id), so only its hash is kept: lookups need equality, nothing more.
 * - parked_events: validated events waiting, in arrival order (seq), for an identity link
 *   (subject `identity:<hash>`) or behind a customer's dead letter (subject `customer:<id>`).
 * - dead_letters: every message set aside, with the reason and the original bytes; `blocks`
 *   names the customer whose later events wait behind it (null: nothing waits).
 * - blocked_customers: customers with an open blocking dead letter.
 */
export function ingestorMigrations(schema: string): SqlMigration[] {
  const s = schema;
  return [
    {
      id: '001-ingestor',
      sql: `
CREATE TABLE ${s}.identity_links (
  identity_key text PRIMARY KEY,
  scheme text NOT NULL,
  customer_id text NOT NULL,
  event_id uuid NOT NULL,
  linked_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ${s}.parked_events (
  seq bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  subject text NOT NULL,
  reason text NOT NULL,
  event jsonb NOT NULL,
  source_topic text,
  source_partition integer,
  source_offset text,
  parked_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX parked_events_subject ON ${s}.parked_events (subject, seq);
CREATE TABLE ${s}.dead_letters (
  id bigserial PRIMARY KEY,
  source_topic text NOT NULL,
  source_partition integer NOT NULL,
  source_offset text NOT NULL,
  message_key bytea,
  raw bytea,
  headers jsonb NOT NULL DEFAULT '{}'::jsonb,
  reason_code text NOT NULL,
  reason_detail text NOT NULL,
  event_id uuid,
  blocks text,
  status text NOT NULL DEFAULT 'open',
  created_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  CONSTRAINT dead_letters_source_key UNIQUE (source_topic, source_partition, source_offset)
);
CREATE INDEX dead_letters_open ON ${s}.dead_letters (status, id);
CREATE TABLE ${s}.blocked_customers (
  customer_id text PRIMARY KEY,
  since timestamptz NOT NULL DEFAULT now()
);
`,
    },
    {
      // Releasing a customer counts its open blocking dead letters: an index, not a scan of them all.
      id: '002-dead-letters-open-blocks',
      sql: `CREATE INDEX dead_letters_open_blocks ON ${s}.dead_letters (blocks) WHERE status = 'open' AND blocks IS NOT NULL;`,
    },
  ];
}

export async function migrateIngestor(pool: Pool, schema: string = DEFAULT_INGESTOR_SCHEMA): Promise<string[]> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error('invalid ingestor schema name');
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (e) {
    if ((e as { code?: unknown }).code !== '23505') throw e;
  }
  return runSqlMigrations(pool, `${schema}.schema_migrations`, ingestorMigrations(schema));
}
