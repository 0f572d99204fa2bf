import { decodePostgresPosition, encodePostgresPosition } from '@c360/event-store';
import type { LagProbe } from '@c360/projections';
import type { Pool } from 'pg';

/**
 * Lag as PostgreSQL sees it, past the event store's visibility horizon: the port's head
 * stops at the oldest open transaction, so a session idle in transaction (F15) would hide
 * the very lag it causes. Reads the store's events table directly — a stopgap that knows
 * the PostgreSQL adapter's layout, until the port offers a "latest committed" head.
 */
export function postgresLagProbe(pool: Pool, schema: string): LagProbe {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`invalid schema: ${schema}`);
  return {
    async sample(after, eventTypes, cap) {
      const { transactionId, seq } = decodePostgresPosition(after);
      const head = await pool.query<{ transaction_id: string; seq: number }>(
        `SELECT transaction_id::text AS transaction_id, seq FROM ${schema}.events ORDER BY transaction_id DESC, seq DESC LIMIT 1`,
      );
      const top = head.rows[0];
      const headPosition = top ? encodePostgresPosition(top.transaction_id, top.seq) : 0n;
      if (after >= headPosition) return { head: headPosition, events: 0, oldestRecordedAt: null };
      const behind = await pool.query<{ n: number; oldest: Date | null }>(
        `SELECT count(*)::int AS n, min(recorded_at) AS oldest FROM (
           SELECT recorded_at FROM ${schema}.events
            WHERE (transaction_id, seq) > ($1::xid8, $2::int) AND type = ANY($3::text[])
            ORDER BY transaction_id, seq LIMIT $4) e`,
        [transactionId, Number(BigInt(seq) > 2147483647n ? 2147483647n : BigInt(seq)), [...eventTypes], cap + 1],
      );
      const row = behind.rows[0];
      return { head: headPosition, events: row?.n ?? 0, oldestRecordedAt: row?.oldest ?? null };
    },
  };
}
