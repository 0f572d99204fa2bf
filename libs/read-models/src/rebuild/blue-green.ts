import type { Pool, PoolClient } from 'pg';
import { assertReadModelSchema } from '../schema-name';
import type { ProjectionTableSet } from './projection-tables';
import { withPooledClient } from '@c360/event-store';

/** The schemas of one blue/green rebuild: live (serving), shadow (being built), retired (the old copy after the swap). */
export interface ShadowPlan {
  readonly projection: string;
  readonly live: string;
  readonly shadow: string;
  readonly retired: string;
  readonly tables: ProjectionTableSet;
}

/** Checkpoints of a projection in a schema, per partition (empty when it never ran there). */
export type Checkpoints = ReadonlyMap<number, bigint>;

type Queryable = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>;

const check = (plan: ShadowPlan): void => {
  for (const s of [plan.live, plan.shadow, plan.retired]) assertReadModelSchema(s);
  if (new Set([plan.live, plan.shadow, plan.retired]).size !== 3) throw new RangeError('live, shadow and retired schemas must differ');
};

export async function schemaExists(db: Queryable, schema: string): Promise<boolean> {
  const r = await db.query<{ ok: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS ok`, [assertReadModelSchema(schema)]);
  return r.rows[0]?.ok === true;
}

export async function dropSchema(db: Queryable, schema: string): Promise<void> {
  await db.query(`DROP SCHEMA IF EXISTS ${assertReadModelSchema(schema)} CASCADE`);
}

/** Tables of `names` that exist in `schema` (a set may name tables a schema's migrations have not made). */
async function existing(db: Queryable, schema: string, names: readonly string[]): Promise<string[]> {
  const r = await db.query<{ t: string }>(
    `SELECT c.relname AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname = ANY($2::text[])`,
    [schema, [...names]],
  );
  const found = new Set(r.rows.map((row) => row.t));
  return names.filter((n) => found.has(n));
}

export async function readCheckpoints(db: Queryable, schema: string, projection: string, forUpdate = false): Promise<Map<number, bigint>> {
  const s = assertReadModelSchema(schema);
  if (!(await existing(db, s, ['projection_checkpoints'])).length) return new Map();
  const r = await db.query<{ partition: number; position: string }>(
    `SELECT partition, position::text AS position FROM ${s}.projection_checkpoints WHERE projection = $1 ORDER BY partition${forUpdate ? ' FOR UPDATE' : ''}`,
    [projection],
  );
  return new Map(r.rows.map((row) => [row.partition, BigInt(row.position)]));
}

export async function partitionCountOf(db: Queryable, schema: string, projection: string): Promise<number | null> {
  const s = assertReadModelSchema(schema);
  if (!(await existing(db, s, ['projection_checkpoints'])).length) return null;
  const r = await db.query<{ n: number }>(`SELECT max(partition_count)::int AS n FROM ${s}.projection_checkpoints WHERE projection = $1`, [projection]);
  return r.rows[0]?.n ?? null;
}

/** Partitions where the shadow is behind the live copy (empty: the shadow has everything live has). */
export function partitionsBehind(shadow: Checkpoints, live: Checkpoints): number[] {
  const behind: number[] = [];
  for (const [partition, position] of live) if ((shadow.get(partition) ?? 0n) < position) behind.push(partition);
  return behind;
}

/** Lowest checkpoint (everything up to it is folded); 0 when there are none. */
export function lowestCheckpoint(checkpoints: Checkpoints): bigint {
  let min: bigint | null = null;
  for (const p of checkpoints.values()) if (min === null || p < min) min = p;
  return min ?? 0n;
}

/** Copies the reference data (rule definitions) the fold reads from the live schema into the shadow. */
export async function copyReferenceTables(pool: Pool, plan: ShadowPlan): Promise<void> {
  check(plan);
  const tables = await existing(pool, plan.live, plan.tables.reference);
  return withPooledClient(pool, async (client) => {
    try {
      await client.query('BEGIN');
      for (const t of await existing(client, plan.shadow, tables)) {
        await client.query(`DELETE FROM ${plan.shadow}.${t}`);
        await client.query(`INSERT INTO ${plan.shadow}.${t} SELECT * FROM ${plan.live}.${t}`);
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}

/**
 * Merges the shadow's derived events into the live outbox (new event ids only; facts already
 * published are never retracted). Returns how many rows were added.
 */
export async function mergeOutbox(db: Queryable, plan: ShadowPlan): Promise<number> {
  const outbox = plan.tables.outbox;
  if (!outbox || !(await existing(db, plan.live, [outbox])).length || !(await existing(db, plan.shadow, [outbox])).length) return 0;
  const r = await db.query(
    `INSERT INTO ${plan.live}.${outbox} (event_id, topic, key, payload, trace, created_at)
     SELECT event_id, topic, key, payload, trace, created_at FROM ${plan.shadow}.${outbox} ORDER BY seq
     ON CONFLICT (event_id) DO NOTHING`,
  );
  return r.rowCount ?? 0;
}

export interface SwapOptions {
  /** How long the swap may wait for the live tables' locks (in-flight batches, long reads). */
  readonly lockTimeoutMs: number;
  /**
   * Called with the live checkpoints frozen (the live tables are locked): resolve with the
   * shadow's final checkpoints once it has everything live has and has stopped writing, or
   * null to give up this attempt (rolled back; the live copy never noticed). `liveAhead` says
   * whether a live row still shows an event the shadow's row lacks (see liveRowsAhead): worth
   * waiting on too, before the shadow stops; the swap checks it again after.
   */
  readonly settleShadow: (live: Checkpoints, liveAhead: () => Promise<boolean>) => Promise<Checkpoints | null>;
  /** Runs in the swap's transaction just before commit (e.g. marks the job swapped). */
  readonly inTransaction?: (client: PoolClient) => Promise<void>;
}

export type SwapOutcome = { readonly swapped: true; readonly live: Checkpoints; readonly shadow: Checkpoints } | { readonly swapped: false; readonly reason: 'shadow-behind' };

/**
 * The blue/green swap, in ONE transaction:
 * 1. lock the live owned tables (ACCESS EXCLUSIVE: waits for the batch in flight; later batches
 *    and reads queue behind it — nobody ever sees a half-swapped model);
 * 2. freeze the live checkpoints (FOR UPDATE) and let the shadow settle at or past them;
 * 3. move the live tables to the retired schema and the shadow's into the live schema
 *    (indexes, constraints and owned sequences move with them);
 * 4. set the live checkpoints to the shadow's (never backwards), merge the outbox tail.
 * Statements queued on the old tables re-resolve their names after the commit, so they land
 * on the new tables; a live runner that is behind the shadow re-reads events the new rows
 * already hold, which the fold skips by revision (I5).
 */
export async function swapShadowIn(pool: Pool, plan: ShadowPlan, options: SwapOptions): Promise<SwapOutcome> {
  check(plan);
  const names = plan.tables.owned.map((t) => t.table);
  const tables = await existing(pool, plan.live, names);
  const shadowTables = await existing(pool, plan.shadow, tables);
  if (shadowTables.length !== tables.length)
    throw new Error(`shadow schema ${plan.shadow} lacks tables: ${tables.filter((t) => !shadowTables.includes(t)).join(', ')}`);
  return withPooledClient(pool, async (client) => {
    try {
      await client.query('BEGIN');
      await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${options.lockTimeoutMs}ms`]);
      if (tables.length > 0) await client.query(`LOCK TABLE ${tables.map((t) => `${plan.live}.${t}`).join(', ')} IN ACCESS EXCLUSIVE MODE`);
      const live = await readCheckpoints(client, plan.live, plan.projection, true);
      const liveAhead = async (): Promise<boolean> => tables.includes('customer_360') && (await liveRowsAhead(client, plan, 1)).length > 0;
      const shadow = await options.settleShadow(live, liveAhead);
      if (shadow === null || partitionsBehind(shadow, live).length > 0) {
        await client.query('ROLLBACK');
        return { swapped: false, reason: 'shadow-behind' };
      }
      // Checkpoints are not the whole story: a merge survivor's row is re-folded from its streams
      // as they are at that moment, so a live row may already hold events past the live
      // checkpoints. Swapping in a shadow row that lacks them would move that row backwards.
      if (await liveAhead()) {
        await client.query('ROLLBACK');
        return { swapped: false, reason: 'shadow-behind' };
      }
      if (tables.length > 0) await client.query(`LOCK TABLE ${tables.map((t) => `${plan.shadow}.${t}`).join(', ')} IN ACCESS EXCLUSIVE MODE`);
      await mergeOutbox(client, plan);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${plan.retired}`);
      for (const t of tables) await client.query(`ALTER TABLE ${plan.live}.${t} SET SCHEMA ${plan.retired}`);
      for (const t of tables) await client.query(`ALTER TABLE ${plan.shadow}.${t} SET SCHEMA ${plan.live}`);
      const partitions = [...shadow.keys()];
      // Upsert: a projection that never ran live gets its checkpoints here, so its first worker starts at the shadow's position.
      await client.query(
        `INSERT INTO ${plan.live}.projection_checkpoints AS c (projection, partition, position, partition_count)
         SELECT $1, s.partition, s.position, $4 FROM unnest($2::int[], $3::numeric[]) AS s(partition, position)
         ON CONFLICT (projection, partition) DO UPDATE SET position = GREATEST(c.position, EXCLUDED.position), updated_at = now()`,
        [plan.projection, partitions, partitions.map((p) => (shadow.get(p) ?? 0n).toString()), partitions.length],
      );
      await options.inTransaction?.(client);
      await client.query('COMMIT');
      return { swapped: true, live, shadow };
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}

/**
 * customer_360 rows of the live copy that know an event the shadow's row does not: a row the
 * shadow lacks, a higher own-stream revision, or (merge survivors) a higher revision of any
 * stream folded into it. Up to `limit` customer ids, in order; empty when the shadow holds
 * everything the live copy shows.
 */
export async function liveRowsAhead(db: Queryable, plan: Pick<ShadowPlan, 'live' | 'shadow'>, limit = 20): Promise<string[]> {
  const live = assertReadModelSchema(plan.live);
  const shadow = assertReadModelSchema(plan.shadow);
  const r = await db.query<{ id: string }>(
    `SELECT l.customer_id AS id FROM ${live}.customer_360 l LEFT JOIN ${shadow}.customer_360 s ON s.customer_id = l.customer_id
      WHERE s.customer_id IS NULL
         OR l.last_revision > s.last_revision
         OR (l.merged_from <> '{}' AND EXISTS (
               SELECT 1 FROM jsonb_each_text(l.state->'position'->'byStream') AS b(stream, revision)
                WHERE b.revision::bigint > coalesce((s.state->'position'->'byStream'->>b.stream)::bigint, -1)))
      ORDER BY l.customer_id LIMIT $1`,
    [limit],
  );
  return r.rows.map((row) => row.id);
}

/** One customer whose row differs between the live copy and the shadow. */
export interface CustomerRowDiff {
  readonly customerId: string;
  readonly kind: 'only-live' | 'only-shadow' | 'changed';
  readonly liveRevision: number | null;
  readonly shadowRevision: number | null;
  /** Columns whose values differ (for `changed`). */
  readonly columns: readonly string[];
}

export interface ReadModelDiff {
  /** Rows per owned table, live vs shadow. */
  readonly counts: ReadonlyArray<{ readonly table: string; readonly live: number; readonly shadow: number }>;
  /** customer_360 rows that differ (volatile updated_at excluded), counted in full. */
  readonly differingCustomers: number;
  readonly sample: readonly CustomerRowDiff[];
}

const COMPARED = ['last_revision', 'state', 'tier', 'region', 'relationship_value_minor', 'churn_risk_score', 'merged_into', 'merged_from', 'last_event_at'];

/** How the shadow differs from the live copy: counts per table and a per-customer sample of customer_360. */
export async function diffReadModels(db: Queryable, plan: Pick<ShadowPlan, 'live' | 'shadow' | 'tables'>, sampleSize = 20): Promise<ReadModelDiff> {
  const live = assertReadModelSchema(plan.live);
  const shadow = assertReadModelSchema(plan.shadow);
  const counts: Array<{ table: string; live: number; shadow: number }> = [];
  for (const t of await existing(db, live, plan.tables.owned.map((o) => o.table))) {
    if (!(await existing(db, shadow, [t])).length) continue;
    const r = await db.query<{ l: number; s: number }>(`SELECT (SELECT count(*)::int FROM ${live}.${t}) AS l, (SELECT count(*)::int FROM ${shadow}.${t}) AS s`);
    counts.push({ table: t, live: r.rows[0]?.l ?? 0, shadow: r.rows[0]?.s ?? 0 });
  }
  if (!(await existing(db, live, ['customer_360'])).length || !(await existing(db, shadow, ['customer_360'])).length)
    return { counts, differingCustomers: 0, sample: [] };
  const distinct = COMPARED.map((c) => `l.${c} IS DISTINCT FROM s.${c}`).join(' OR ');
  const from = `FROM ${live}.customer_360 l FULL JOIN ${shadow}.customer_360 s ON s.customer_id = l.customer_id WHERE l.customer_id IS NULL OR s.customer_id IS NULL OR ${distinct}`;
  const n = await db.query<{ n: number }>(`SELECT count(*)::int AS n ${from}`);
  const columns = COMPARED.map((c) => `CASE WHEN l.${c} IS DISTINCT FROM s.${c} THEN '${c}' END`).join(', ');
  const rows = await db.query<{ id: string; lr: string | null; sr: string | null; lid: string | null; sid: string | null; cols: Array<string | null> }>(
    `SELECT coalesce(l.customer_id, s.customer_id) AS id, l.customer_id AS lid, s.customer_id AS sid,
            l.last_revision::text AS lr, s.last_revision::text AS sr, ARRAY[${columns}] AS cols
       ${from} ORDER BY 1 LIMIT $1`,
    [sampleSize],
  );
  const sample = rows.rows.map(
    (r): CustomerRowDiff => ({
      customerId: r.id,
      kind: r.lid === null ? 'only-shadow' : r.sid === null ? 'only-live' : 'changed',
      liveRevision: r.lr === null ? null : Number(r.lr),
      shadowRevision: r.sr === null ? null : Number(r.sr),
      columns: r.lid !== null && r.sid !== null ? r.cols.filter((c): c is string => c !== null) : [],
    }),
  );
  return { counts, differingCustomers: n.rows[0]?.n ?? 0, sample };
}
