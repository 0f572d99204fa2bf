import { decodePostgresPosition } from '@c360/event-store';
import type { Pool } from 'pg';
import { latestCommittedPosition } from '../postgres-lag-probe';

/**
 * Counts over the PostgreSQL event store's table, for progress, totals and reconciliation.
 * Like postgres-lag-probe.ts this knows the adapter's layout (a stopgap until the port offers
 * counts); positions are the adapter's (transaction id, seq) pairs.
 */
export class EventStoreStats {
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`invalid schema: ${schema}`);
  }

  /** Events of the types after `after` (exclusive) and up to `upTo` (inclusive, default: all). */
  async count(eventTypes: readonly string[], after: bigint = 0n, upTo?: bigint, cap?: number): Promise<number> {
    const a = decodePostgresPosition(after);
    const u = upTo === undefined ? null : decodePostgresPosition(upTo);
    const r = await this.pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM (SELECT 1 FROM ${this.schema}.events
        WHERE type = ANY($1::text[]) AND (transaction_id, seq) > ($2::xid8, $3::int)
          AND ($4::text IS NULL OR (transaction_id, seq) <= ($4::xid8, $5::int)) LIMIT $6) e`,
      [[...eventTypes], a.transactionId, clampSeq(a.seq), u?.transactionId ?? null, u ? clampSeq(u.seq) : 0, cap ?? null],
    );
    return Number(r.rows[0]?.n ?? 0);
  }

  /**
   * Events of the types up to `upTo` in the streams up to `throughStream` (inclusive, in the
   * store's stream order — a bulk pass's progress: EventStore.readAllByStream's order).
   */
  async countThroughStream(eventTypes: readonly string[], upTo: bigint, throughStream: string): Promise<number> {
    const u = decodePostgresPosition(upTo);
    const r = await this.pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ${this.schema}.events
        WHERE type = ANY($1::text[]) AND stream_id <= $2 AND (transaction_id, seq) <= ($3::xid8, $4::int)`,
      [[...eventTypes], throughStream, u.transactionId, clampSeq(u.seq)],
    );
    return Number(r.rows[0]?.n ?? 0);
  }

  /** Position of the last committed event (past the visibility horizon; 0 when empty). */
  async latest(): Promise<bigint> {
    return latestCommittedPosition(this.pool, this.schema);
  }

  /** recordedAt of the first event of the types after `after`, or null when none. */
  async oldestAfter(eventTypes: readonly string[], after: bigint): Promise<Date | null> {
    const a = decodePostgresPosition(after);
    const r = await this.pool.query<{ at: Date }>(
      `SELECT recorded_at AS at FROM ${this.schema}.events
        WHERE type = ANY($1::text[]) AND (transaction_id, seq) > ($2::xid8, $3::int)
        ORDER BY transaction_id, seq LIMIT 1`,
      [[...eventTypes], a.transactionId, clampSeq(a.seq)],
    );
    return r.rows[0]?.at ?? null;
  }

  /**
   * Per customer stream, up to `upTo`: the last revision and the count of events of the types
   * (the store side of `verify`). Streams named `<prefix><customerId>`.
   */
  async streamsUpTo(eventTypes: readonly string[], upTo: bigint, prefix: string): Promise<Map<string, { lastRevision: number; events: number }>> {
    const u = decodePostgresPosition(upTo);
    const r = await this.pool.query<{ stream_id: string; last: string; n: number }>(
      `SELECT stream_id, max(revision)::text AS last, count(*)::int AS n FROM ${this.schema}.events
        WHERE type = ANY($1::text[]) AND (transaction_id, seq) <= ($2::xid8, $3::int) AND stream_id ^@ $4
        GROUP BY stream_id`,
      [[...eventTypes], u.transactionId, clampSeq(u.seq), prefix],
    );
    return new Map(r.rows.map((row) => [row.stream_id.slice(prefix.length), { lastRevision: Number(row.last), events: row.n }]));
  }

  /** Which of these event ids are stored. */
  async storedIds(eventIds: readonly string[]): Promise<Set<string>> {
    if (eventIds.length === 0) return new Set();
    const r = await this.pool.query<{ id: string }>(`SELECT event_id::text AS id FROM ${this.schema}.events WHERE event_id = ANY($1::uuid[])`, [[...eventIds]]);
    return new Set(r.rows.map((row) => row.id));
  }
}

const clampSeq = (seq: string): number => (BigInt(seq) > 2147483647n ? 2147483647 : Number(seq));
