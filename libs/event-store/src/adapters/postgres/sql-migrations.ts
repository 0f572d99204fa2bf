import type { Pool } from 'pg';
import { withPooledTransaction } from './pooled-client';

/** One forward-only SQL migration. `id` is stable and sorts in application order. */
export interface SqlMigration {
  readonly id: string;
  readonly sql: string;
}

/**
 * Applies the migrations not yet recorded in `trackingTable`, in order, each in its own
 * transaction. Safe to run from several processes at once: a transaction-scoped advisory
 * lock keyed by the tracking table's name serialises them.
 */
export async function runSqlMigrations(
  pool: Pool,
  trackingTable: string,
  migrations: readonly SqlMigration[],
): Promise<string[]> {
  if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(trackingTable)) {
    throw new Error(`invalid migration tracking table name: ${trackingTable}`);
  }
  const applied: string[] = [];
  await withPooledTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [trackingTable]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${trackingTable} (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set(
      (await client.query<{ id: string }>(`SELECT id FROM ${trackingTable}`)).rows.map((r) => r.id),
    );
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      await client.query(m.sql);
      await client.query(`INSERT INTO ${trackingTable} (id) VALUES ($1)`, [m.id]);
      applied.push(m.id);
    }
  });
  return applied;
}
