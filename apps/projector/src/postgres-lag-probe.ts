import { decodePostgresPosition, encodePostgresPosition, withPooledClient } from '@c360/event-store';
import type { LagProbe } from '@c360/projections';
import type { Pool } from 'pg';

/**
 * Lag as PostgreSQL sees it, past the event store's visibility horizon: the port's head
 * stops at the oldest open transaction, so a session idle in transaction (F15) would hide
 * the very lag it causes. Reads the store's events table directly — a stopgap that knows
 * the PostgreSQL adapter's layout, until the port offers a "latest committed" head.
 */
/**
 * Position of the last committed event, past the visibility horizon (0 when empty): the
 * newest entry of the position index (ordered by the xid8 column itself — ordering by a text
 * rendering of it would sort "99" after "100" and scan the whole table).
 */
export async function latestCommittedPosition(pool: Pick<Pool, 'query'>, schema: string): Promise<bigint> {
  const head = await pool.query<{ transaction_id: string; seq: number }>(
    `SELECT e.transaction_id::text AS transaction_id, e.seq FROM ${schema}.events e ORDER BY e.transaction_id DESC, e.seq DESC LIMIT 1`,
  );
  const top = head.rows[0];
  return top ? encodePostgresPosition(top.transaction_id, top.seq) : 0n;
}

export function postgresLagProbe(pool: Pool, schema: string): LagProbe {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`invalid schema: ${schema}`);
  return {
    async sample(after, eventTypes, cap) {
      const { transactionId, seq } = decodePostgresPosition(after);
      const headPosition = await latestCommittedPosition(pool, schema);
      if (after >= headPosition) return { head: headPosition, events: 0, oldestRecordedAt: null };
      // The count walks the position index from the checkpoint and stops at the cap, whatever
      // the planner thinks: with stale statistics (a fast-growing table, autovacuum behind or
      // off) it would otherwise pick a scan of the whole backlog and a sort, every second,
      // costing most when the projection is furthest behind.
      // A broken client (its ROLLBACK failed too) is not queryable and the pool discards it on release.
      const behind = await withPooledClient(pool, async (client) => {
        try {
          await client.query(`BEGIN READ ONLY; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL max_parallel_workers_per_gather = 0`);
          const r = await client.query<{ n: number; oldest: Date | null }>(
            `SELECT count(*)::int AS n, min(recorded_at) AS oldest FROM (
               SELECT e.recorded_at FROM ${schema}.events e
                WHERE (e.transaction_id, e.seq) > ($1::xid8, $2::int) AND e.type = ANY($3::text[])
                ORDER BY e.transaction_id, e.seq LIMIT $4) e`,
            [transactionId, Number(BigInt(seq) > 2147483647n ? 2147483647n : BigInt(seq)), [...eventTypes], cap + 1],
          );
          await client.query('COMMIT');
          return r;
        } catch (e) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw e;
        }
      });
      const row = behind.rows[0];
      return { head: headPosition, events: row?.n ?? 0, oldestRecordedAt: row?.oldest ?? null };
    },
  };
}
