import { encodePostgresPosition, type GlobalPosition } from '@c360/event-store';
import type { Pool } from 'pg';

/** Where the events recorded in [from, to) lie in the global order, and how many there are. */
export interface ReplayWindow {
  readonly total: number;
  /** Exclusive start for readAll (just before the first event in the window). */
  readonly after: GlobalPosition;
  /** Position of the last event in the window (inclusive). */
  readonly upTo: GlobalPosition;
}

export interface ReplayWindowSource {
  /** null when no event of the types was recorded in [from, to). */
  find(from: Date, to: Date, types: readonly string[] | undefined, streamPrefix: string): Promise<ReplayWindow | null>;
}

/**
 * The window over the PostgreSQL event store's table. recorded_at is not monotonic in the
 * global order (it is the appending transaction's start), so the bounds are the lowest and
 * highest positions of the events inside the time range — exact, whatever the interleaving —
 * and the reader still checks each event's recordedAt between them. Like EventStoreStats this
 * knows the adapter's layout (a stopgap until the port reads by time); one sequential scan.
 */
export class PostgresReplayWindow implements ReplayWindowSource {
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`invalid schema: ${schema}`);
  }

  async find(from: Date, to: Date, types: readonly string[] | undefined, streamPrefix: string): Promise<ReplayWindow | null> {
    const r = await this.pool.query<{ n: number; first_tx: string | null; first_seq: number | null; last_tx: string | null; last_seq: number | null }>(
      `WITH w AS MATERIALIZED (
         SELECT transaction_id, seq FROM ${this.schema}.events
          WHERE recorded_at >= $1 AND recorded_at < $2 AND ($3::text[] IS NULL OR type = ANY($3::text[])) AND stream_id ^@ $4)
       SELECT (SELECT count(*)::int FROM w) AS n,
              f.transaction_id::text AS first_tx, f.seq AS first_seq, l.transaction_id::text AS last_tx, l.seq AS last_seq
         FROM (SELECT 1) one
         LEFT JOIN (SELECT transaction_id, seq FROM w ORDER BY transaction_id, seq LIMIT 1) f ON true
         LEFT JOIN (SELECT transaction_id, seq FROM w ORDER BY transaction_id DESC, seq DESC LIMIT 1) l ON true`,
      [from, to, types === undefined ? null : [...types], streamPrefix],
    );
    const row = r.rows[0];
    if (!row || row.n === 0 || row.first_tx === null || row.first_seq === null || row.last_tx === null || row.last_seq === null) return null;
    const first = encodePostgresPosition(row.first_tx, row.first_seq);
    return { total: row.n, after: first > 0n ? first - 1n : 0n, upTo: encodePostgresPosition(row.last_tx, row.last_seq) };
  }
}
