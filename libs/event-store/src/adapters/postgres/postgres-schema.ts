import type { Pool } from 'pg';
import { runSqlMigrations, type SqlMigration } from './sql-migrations';

export const DEFAULT_EVENT_STORE_SCHEMA = 'event_store';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Schema names are interpolated into SQL, so only plain lower-case identifiers are allowed. */
export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid event store schema name: ${schema}`);
}

/** SQLSTATEs raised by append_events; the adapter maps them to coded errors. */
export const SQLSTATE_WRONG_EXPECTED_REVISION = 'C3E01';
export const SQLSTATE_EVENT_ID_CONFLICT = 'C3E02';

/**
 * The event store schema. Global order is (transaction_id, seq): transaction_id is the
 * appending transaction's xid8, seq the event's 1-based index in its batch (one append is
 * one transaction, so the pair is unique). Readers of all only read rows whose transaction
 * is below the snapshot's xmin: those transactions are finished, and every later one gets a
 * larger id, so what a reader sees is a prefix of the final order (no sequence-gap skips).
 */
export function postgresEventStoreMigrations(schema: string): SqlMigration[] {
  assertSchemaName(schema);
  const s = schema;
  const migrations: SqlMigration[] = [
    {
      id: '001-events',
      sql: `
CREATE TABLE ${s}.streams (
  stream_id text PRIMARY KEY,
  -- last revision; -1 only transiently, while the first append to the stream runs
  revision bigint NOT NULL
);

CREATE TABLE ${s}.events (
  transaction_id xid8 NOT NULL,
  seq integer NOT NULL,
  event_id uuid NOT NULL,
  stream_id text NOT NULL,
  revision bigint NOT NULL,
  type text NOT NULL,
  version integer NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  correlation_id text,
  causation_id text,
  occurred_at timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT events_position_pk PRIMARY KEY (transaction_id, seq),
  CONSTRAINT events_event_id_key UNIQUE (event_id),
  CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
);

-- Append-only: history is immutable (erasure destroys keys, never rows).
CREATE FUNCTION ${s}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'event store rows are append-only' USING ERRCODE = 'C3E09';
END
$fn$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON ${s}.events
  FOR EACH ROW EXECUTE FUNCTION ${s}.refuse_change();

/*
 * One round trip per batch. p_expected: 'any' | 'no_stream' | 'stream_exists' | a revision.
 * p_events: JSON array of {ord, event_id, type, version, data, metadata, correlation_id,
 * causation_id, occurred_at}. Appends to one stream serialise on that stream's row only.
 */
CREATE FUNCTION ${s}.append_events(p_stream_id text, p_expected text, p_events jsonb)
RETURNS TABLE (next_revision bigint, last_transaction_id text, last_seq integer, written integer)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_current bigint;
  v_total integer := jsonb_array_length(p_events);
  v_existing integer;
  v_same integer;
  v_first_existing bigint;
  v_offsets integer;
  v_conflict uuid;
  v_existing_ids uuid[];
  v_written integer;
  v_last_seq integer;
BEGIN
  SELECT st.revision INTO v_current FROM ${s}.streams st WHERE st.stream_id = p_stream_id FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO ${s}.streams (stream_id, revision) VALUES (p_stream_id, -1) ON CONFLICT (stream_id) DO NOTHING;
    SELECT st.revision INTO v_current FROM ${s}.streams st WHERE st.stream_id = p_stream_id FOR UPDATE;
  END IF;

  -- Idempotency: which events of the batch are stored already, and are they the same?
  SELECT count(*)::int,
         count(*) FILTER (WHERE e.stream_id = p_stream_id AND e.type = b.type AND e.version = b.version
                            AND e.data = b.data AND e.metadata = coalesce(b.metadata, '{}'::jsonb)
                            AND e.correlation_id IS NOT DISTINCT FROM b.correlation_id
                            AND e.causation_id IS NOT DISTINCT FROM b.causation_id
                            AND (b.occurred_at IS NULL OR e.occurred_at = b.occurred_at))::int,
         min(e.revision),
         count(DISTINCT e.revision - b.ord)::int,
         coalesce(array_agg(b.event_id), '{}')
    INTO v_existing, v_same, v_first_existing, v_offsets, v_existing_ids
    FROM jsonb_to_recordset(p_events) AS b(ord int, event_id uuid, type text, version int, data jsonb,
           metadata jsonb, correlation_id text, causation_id text, occurred_at timestamptz)
    JOIN ${s}.events e ON e.event_id = b.event_id;

  IF v_existing > v_same THEN
    SELECT b.event_id INTO v_conflict
      FROM jsonb_to_recordset(p_events) AS b(ord int, event_id uuid, type text, version int, data jsonb,
             metadata jsonb, correlation_id text, causation_id text, occurred_at timestamptz)
      JOIN ${s}.events e ON e.event_id = b.event_id
     WHERE NOT (e.stream_id = p_stream_id AND e.type = b.type AND e.version = b.version
                AND e.data = b.data AND e.metadata = coalesce(b.metadata, '{}'::jsonb)
                AND e.correlation_id IS NOT DISTINCT FROM b.correlation_id
                AND e.causation_id IS NOT DISTINCT FROM b.causation_id
                AND (b.occurred_at IS NULL OR e.occurred_at = b.occurred_at))
     ORDER BY b.ord LIMIT 1;
    RAISE EXCEPTION 'event id appended before with a different body' USING ERRCODE = '${SQLSTATE_EVENT_ID_CONFLICT}', DETAIL = v_conflict::text;
  END IF;

  IF v_existing = v_total THEN
    -- A retry of a stored batch answers as before, provided it is the same batch in the same
    -- order and the expectation held where it was written.
    IF v_offsets <> 1 THEN
      RAISE EXCEPTION 'events appended before in a different order' USING ERRCODE = '${SQLSTATE_EVENT_ID_CONFLICT}', DETAIL = '';
    END IF;
    IF NOT (p_expected = 'any'
            OR (p_expected = 'no_stream' AND v_first_existing = 0)
            OR (p_expected = 'stream_exists' AND v_first_existing > 0)
            OR (p_expected ~ '^[0-9]+$' AND v_first_existing = p_expected::bigint + 1)) THEN
      RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = '${SQLSTATE_WRONG_EXPECTED_REVISION}', DETAIL = v_current::text;
    END IF;
    RETURN QUERY
      SELECT e.revision, e.transaction_id::text, e.seq, 0
        FROM jsonb_to_recordset(p_events) AS b(event_id uuid)
        JOIN ${s}.events e ON e.event_id = b.event_id
       ORDER BY e.revision DESC LIMIT 1;
    RETURN;
  END IF;

  IF NOT (p_expected = 'any'
          OR (p_expected = 'no_stream' AND v_current = -1)
          OR (p_expected = 'stream_exists' AND v_current >= 0)
          OR (p_expected ~ '^[0-9]+$' AND v_current = p_expected::bigint)) THEN
    RAISE EXCEPTION 'wrong expected revision' USING ERRCODE = '${SQLSTATE_WRONG_EXPECTED_REVISION}', DETAIL = v_current::text;
  END IF;

  -- Events already stored identically (a batch overlapping an earlier one) are skipped. Only
  -- those seen above: an id committed concurrently since then must hit the unique constraint
  -- (the adapter re-runs the append to classify it), not be skipped silently.
  WITH ins AS (
    INSERT INTO ${s}.events (transaction_id, seq, event_id, stream_id, revision, type, version, data,
                             metadata, correlation_id, causation_id, occurred_at, recorded_at)
    SELECT pg_current_xact_id(), b.ord, b.event_id, p_stream_id,
           v_current + row_number() OVER (ORDER BY b.ord), b.type, b.version, b.data,
           coalesce(b.metadata, '{}'::jsonb), b.correlation_id, b.causation_id,
           coalesce(b.occurred_at, now()), now()
      FROM jsonb_to_recordset(p_events) AS b(ord int, event_id uuid, type text, version int, data jsonb,
             metadata jsonb, correlation_id text, causation_id text, occurred_at timestamptz)
     WHERE b.event_id <> ALL (v_existing_ids)
     ORDER BY b.ord
    RETURNING seq
  )
  SELECT count(*)::int, max(ins.seq) INTO v_written, v_last_seq FROM ins;

  UPDATE ${s}.streams SET revision = v_current + v_written WHERE stream_id = p_stream_id;
  RETURN QUERY SELECT v_current + v_written, pg_current_xact_id()::text, v_last_seq, v_written;
END
$fn$;
`,
    },
  ];
  // A retry under another trace is the same event: metadata.trace (the delivery's trace
  // context) is left out of the idempotency comparison, as bodyFingerprint does.
  migrations.push({ id: '002-append-ignores-trace', sql: appendIgnoringTrace(migrations[0]?.sql ?? '', s) });
  // append_events looks the batch's event ids up by the unique index. The planner cannot know
  // that: jsonb_to_recordset is estimated at 100 rows and a young events table has no (or
  // stale) statistics, so it chose a hash join over a sequential scan of all events: every
  // append cost O(store size). Point lookups are the only access the function makes, so it
  // plans without sequential scans, hash or merge joins. (A later CREATE OR REPLACE of the
  // function drops these settings: repeat them after it.)
  migrations.push({
    id: '003-append-index-lookups',
    sql: `ALTER FUNCTION ${s}.append_events(text, text, jsonb) SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;`,
  });
  // Per-stream order in the global order. A position is the appending transaction's id, which
  // PostgreSQL assigns at its first write; a stream's revision is taken later, under the
  // stream's lock. A multi-stream append used to write its first stream (taking an id), then
  // wait for the lock of a later stream while another append took that stream with a higher
  // id and committed: the waiting append's event then had the higher revision at the lower
  // position, and a projection skipped the other as already applied (found by the rebuild-
  // under-live-traffic test). Now every append first takes a transaction-level advisory lock
  // per stream — which assigns no id — and a multi-stream append takes all of them, in one
  // global order (by key), before its first write. So whoever appended to a stream before us
  // committed before we got its lock, hence before we took an id: its id is lower.
  migrations.push({
    id: '004-append-locks-before-id',
    sql: `${appendLockingFirst(appendIgnoringTrace(migrations[0]?.sql ?? '', s))}
ALTER FUNCTION ${s}.append_events(text, text, jsonb) SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
CREATE OR REPLACE FUNCTION ${s}.append_events_many(p_appends jsonb)
RETURNS TABLE (i integer, next_revision bigint, last_transaction_id text, last_seq integer, written integer)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_key bigint;
BEGIN
  FOR v_key IN
    SELECT DISTINCT ${streamLockKey("a.x->>'stream_id'")} AS k FROM jsonb_array_elements(p_appends) AS a(x) ORDER BY k
  LOOP
    PERFORM pg_advisory_xact_lock(v_key);
  END LOOP;
  RETURN QUERY
    SELECT a.n::int, r.next_revision, r.last_transaction_id, r.last_seq, r.written
      FROM jsonb_array_elements(p_appends) WITH ORDINALITY AS a(x, n)
      CROSS JOIN LATERAL ${s}.append_events(a.x->>'stream_id', a.x->>'expected', a.x->'events') AS r
     ORDER BY a.n;
END
$fn$;`,
  });
  // Multi-stream append, set-based. append_events_many (004) runs append_events once per stream:
  // about eight statements each, so a batch of a thousand customers' events cost thousands of
  // statements. This one takes the same locks first (every stream's, ordered by key, before any
  // write: see 004), then, in the case that matters (no event of the call stored before, no id
  // twice, every expectation met), writes all events with one INSERT and all stream heads with
  // one UPDATE. Anything else (a retry, an overlap, a conflict, a wrong expected revision) goes
  // to append_events_many, in the same transaction, whose per-stream rules decide as before.
  // Arguments: stream ids and expectations per append (in append order); every event's id; the
  // events as one JSON array of {n (1-based append index), ord, event_id, type, version, data,
  // metadata, correlation_id, causation_id, occurred_at}, grouped by append in append order,
  // ord running 1, 2, 3… over the whole call.
  migrations.push({
    id: '005-append-many-set-based',
    sql: `
CREATE FUNCTION ${s}.append_events_many_set(p_stream_ids text[], p_expected text[], p_event_ids uuid[], p_events jsonb)
RETURNS TABLE (stream_id text, next_revision bigint, last_transaction_id text, last_seq integer, written integer)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_key bigint;
  v_current bigint[];
BEGIN
  -- Before the first write: see migration 004.
  FOR v_key IN
    SELECT DISTINCT ${streamLockKey('x')} AS k FROM unnest(p_stream_ids) AS x ORDER BY k
  LOOP
    PERFORM pg_advisory_xact_lock(v_key);
  END LOOP;

  -- Each stream's head (-1: no stream yet), by append index.
  SELECT array_agg(coalesce(st.revision, -1) ORDER BY a.n) INTO v_current
    FROM unnest(p_stream_ids) WITH ORDINALITY AS a(stream_id, n)
    LEFT JOIN ${s}.streams st ON st.stream_id = a.stream_id;

  IF cardinality(p_stream_ids) IS NULL
     OR cardinality(p_expected) IS DISTINCT FROM cardinality(p_stream_ids)
     OR cardinality(p_event_ids) IS DISTINCT FROM jsonb_array_length(p_events)
     OR (SELECT count(DISTINCT x) FROM unnest(p_stream_ids) AS x) <> cardinality(p_stream_ids)
     OR (SELECT count(DISTINCT x) FROM unnest(p_event_ids) AS x) <> cardinality(p_event_ids)
     -- every append has events, every event names an append: its n runs over exactly 1…appends
     OR (SELECT count(DISTINCT g.n) <> cardinality(p_stream_ids) OR count(g.n) <> count(*) OR min(g.n) IS DISTINCT FROM 1 OR max(g.n) IS DISTINCT FROM cardinality(p_stream_ids)
           FROM (SELECT (x->>'n')::int AS n FROM jsonb_array_elements(p_events) AS x) g)
     OR EXISTS (SELECT 1 FROM ${s}.events e WHERE e.event_id = ANY (p_event_ids))
     OR EXISTS (
          SELECT 1 FROM unnest(p_expected) WITH ORDINALITY AS a(expected, n)
           WHERE a.expected <> 'any'
             AND NOT ((a.expected = 'no_stream' AND v_current[a.n] = -1)
                   OR (a.expected = 'stream_exists' AND v_current[a.n] >= 0)
                   OR (a.expected ~ '^[0-9]+$' AND v_current[a.n] = a.expected::bigint))) THEN
    RETURN QUERY
      SELECT p_stream_ids[m.i], m.next_revision, m.last_transaction_id, m.last_seq, m.written
        FROM ${s}.append_events_many((
          SELECT coalesce(jsonb_agg(jsonb_build_object('stream_id', a.stream_id, 'expected', a.expected, 'events', coalesce(g.events, '[]'::jsonb)) ORDER BY a.n), '[]'::jsonb)
            FROM unnest(p_stream_ids, p_expected) WITH ORDINALITY AS a(stream_id, expected, n)
            LEFT JOIN (SELECT (x->>'n')::bigint AS n, jsonb_agg(x ORDER BY o) AS events
                         FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(x, o) GROUP BY 1) g ON g.n = a.n)) AS m;
    RETURN;
  END IF;

  -- No joins: an event finds its stream and head by its append index.
  RETURN QUERY
    WITH ins AS (
      INSERT INTO ${s}.events (transaction_id, seq, event_id, stream_id, revision, type, version, data,
                               metadata, correlation_id, causation_id, occurred_at, recorded_at)
      SELECT pg_current_xact_id(), b.ord, b.event_id, p_stream_ids[b.n],
             v_current[b.n] + row_number() OVER (PARTITION BY b.n ORDER BY b.ord), b.type, b.version, b.data,
             coalesce(b.metadata, '{}'::jsonb), b.correlation_id, b.causation_id,
             coalesce(b.occurred_at, now()), now()
        FROM jsonb_to_recordset(p_events) AS b(n int, ord int, event_id uuid, type text, version int, data jsonb,
               metadata jsonb, correlation_id text, causation_id text, occurred_at timestamptz)
      RETURNING events.stream_id, events.revision, events.seq
    ), heads AS (
      SELECT ins.stream_id, max(ins.revision) AS revision, max(ins.seq) AS last_seq, count(*)::int AS written
        FROM ins GROUP BY ins.stream_id
    ), moved AS (
      INSERT INTO ${s}.streams AS st (stream_id, revision)
      SELECT heads.stream_id, heads.revision FROM heads
      ON CONFLICT ON CONSTRAINT streams_pkey DO UPDATE SET revision = EXCLUDED.revision
    )
    SELECT heads.stream_id, heads.revision, pg_current_xact_id()::text, heads.last_seq, heads.written FROM heads;
END
$fn$;
ALTER FUNCTION ${s}.append_events_many_set(text[], text[], uuid[], jsonb) SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off;
`,
  });
  return migrations;
}

/** The advisory lock key of a stream (64-bit; a collision only makes two streams queue together). */
const streamLockKey = (streamIdSql: string): string => `hashtextextended('c360-stream:' || (${streamIdSql}), 0)`;

/** append_events, taking its stream's advisory lock before anything that assigns a transaction id. */
function appendLockingFirst(fn: string): string {
  const first = 'BEGIN\n  SELECT st.revision INTO v_current FROM';
  if (fn.split(first).length !== 2) throw new Error('event store migration 004: append_events body not found as expected');
  return fn.replace(
    first,
    `BEGIN\n  -- Before the first write: see migration 004.\n  PERFORM pg_advisory_xact_lock(${streamLockKey('p_stream_id')});\n  SELECT st.revision INTO v_current FROM`,
  );
}

const SAME_METADATA = "e.metadata = coalesce(b.metadata, '{}'::jsonb)";
const SAME_METADATA_BUT_TRACE = "(e.metadata - 'trace') = (coalesce(b.metadata, '{}'::jsonb) - 'trace')";

/** append_events of 001, replaced with one whose metadata comparison ignores the `trace` key. */
function appendIgnoringTrace(first: string, s: string): string {
  const start = first.indexOf(`CREATE FUNCTION ${s}.append_events(`);
  const end = first.indexOf('$fn$;', start);
  const fn = first.slice(start, end + '$fn$;'.length);
  if (start < 0 || end < 0 || fn.split(SAME_METADATA).length !== 3) throw new Error('event store migration 002: append_events of 001 not found as expected');
  return fn.replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION').split(SAME_METADATA).join(SAME_METADATA_BUT_TRACE);
}

/** Creates or upgrades the event store schema. Safe to call from several processes at once. */
export async function migratePostgresEventStore(
  pool: Pool,
  schema: string = DEFAULT_EVENT_STORE_SCHEMA,
): Promise<string[]> {
  assertSchemaName(schema);
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (e) {
    // Two processes racing on CREATE SCHEMA IF NOT EXISTS: the loser sees a unique violation.
    if ((e as { code?: unknown }).code !== '23505') throw e;
  }
  return runSqlMigrations(
    pool,
    `${schema}.schema_migrations`,
    postgresEventStoreMigrations(schema),
  );
}
