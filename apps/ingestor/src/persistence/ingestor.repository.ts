import type { Pool, PoolClient } from 'pg';
import type { CanonicalEvent } from '@c360/contracts';
import { withPooledClient, withPooledTransaction } from '@c360/event-store';

export interface MessageSource {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface ParkedRow {
  readonly seq: string;
  readonly eventId: string;
  readonly subject: string;
  readonly event: CanonicalEvent;
  readonly source: MessageSource | null;
}

export interface NewDeadLetter {
  readonly source: MessageSource;
  readonly key: Buffer | null;
  readonly raw: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly reasonCode: string;
  readonly reasonDetail: string;
  readonly eventId: string | null;
  /** The customer whose later events wait behind this one, or null. */
  readonly blocks: string | null;
}

export interface DeadLetterRow {
  readonly id: string;
  readonly source: MessageSource;
  readonly reasonCode: string;
  readonly reasonDetail: string;
  readonly eventId: string | null;
  readonly blocks: string | null;
  readonly status: 'open' | 'redriven' | 'discarded';
  readonly createdAt: Date;
  readonly resolvedAt: Date | null;
  readonly size: number;
}

export interface DeadLetterWithRaw extends DeadLetterRow {
  readonly raw: Buffer | null;
}

export interface ParkedSubjectSummary {
  readonly subject: string;
  readonly reason: string;
  readonly count: number;
  readonly oldestParkedAt: Date;
}

/** What one batch needs to know up front, fetched in one round trip. */
export interface SubjectState {
  readonly links: Map<string, string>;
  readonly blocked: Set<string>;
  /** Subjects (`customer:<id>`, `identity:<hash>`) with events parked. */
  readonly parked: Set<string>;
}

interface DeadLetterDbRow {
  id: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  reason_code: string;
  reason_detail: string;
  event_id: string | null;
  blocks: string | null;
  status: 'open' | 'redriven' | 'discarded';
  created_at: Date;
  resolved_at: Date | null;
  size: number;
  raw?: Buffer | null;
}

const toDeadLetter = (r: DeadLetterDbRow): DeadLetterRow => ({
  id: r.id,
  source: { topic: r.source_topic, partition: r.source_partition, offset: r.source_offset },
  reasonCode: r.reason_code,
  reasonDetail: r.reason_detail,
  eventId: r.event_id,
  blocks: r.blocks,
  status: r.status,
  createdAt: r.created_at,
  resolvedAt: r.resolved_at,
  size: r.size,
});

/** A transaction holding the advisory lock of one parking subject. */
export interface SubjectTx {
  readonly client: PoolClient;
}

/** The ingestor's PostgreSQL tables (see ingestor-migrations.ts). */
export class IngestorRepository {
  constructor(
    private readonly pool: Pool,
    private readonly schema: string,
  ) {}

  async state(identityKeys: readonly string[], customerIds: readonly string[], subjects: readonly string[]): Promise<SubjectState> {
    const s = this.schema;
    const [links, blocked, parked] = await Promise.all([
      identityKeys.length === 0
        ? { rows: [] as { identity_key: string; customer_id: string }[] }
        : this.pool.query<{ identity_key: string; customer_id: string }>(`SELECT identity_key, customer_id FROM ${s}.identity_links WHERE identity_key = ANY($1)`, [identityKeys]),
      customerIds.length === 0
        ? { rows: [] as { customer_id: string }[] }
        : this.pool.query<{ customer_id: string }>(`SELECT customer_id FROM ${s}.blocked_customers WHERE customer_id = ANY($1)`, [customerIds]),
      subjects.length === 0
        ? { rows: [] as { subject: string }[] }
        : this.pool.query<{ subject: string }>(`SELECT DISTINCT subject FROM ${s}.parked_events WHERE subject = ANY($1)`, [subjects]),
    ]);
    return {
      links: new Map(links.rows.map((r) => [r.identity_key, r.customer_id])),
      blocked: new Set(blocked.rows.map((r) => r.customer_id)),
      parked: new Set(parked.rows.map((r) => r.subject)),
    };
  }

  /** Runs `fn` in a transaction holding the subject's advisory lock (parking and release serialise on it). */
  async withSubjectLock<T>(subject: string, fn: (tx: SubjectTx) => Promise<T>): Promise<T> {
    return withPooledTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7360))`, [`c360.ingestor.${subject}`]);
      return fn({ client });
    });
  }

  async linkOf(tx: SubjectTx, identityKey: string): Promise<string | undefined> {
    const r = await tx.client.query<{ customer_id: string }>(`SELECT customer_id FROM ${this.schema}.identity_links WHERE identity_key = $1`, [identityKey]);
    return r.rows[0]?.customer_id;
  }

  async isBlocked(tx: SubjectTx, customerId: string): Promise<boolean> {
    const r = await tx.client.query(`SELECT 1 FROM ${this.schema}.blocked_customers WHERE customer_id = $1`, [customerId]);
    return (r.rowCount ?? 0) > 0;
  }

  async hasParked(tx: SubjectTx, subject: string): Promise<boolean> {
    const r = await tx.client.query(`SELECT 1 FROM ${this.schema}.parked_events WHERE subject = $1 LIMIT 1`, [subject]);
    return (r.rowCount ?? 0) > 0;
  }

  /** Parks an event (idempotent on its id: a redelivered one stays where it was). */
  async park(tx: SubjectTx, subject: string, reason: string, event: CanonicalEvent, source: MessageSource | null): Promise<void> {
    await tx.client.query(
      `INSERT INTO ${this.schema}.parked_events (event_id, subject, reason, event, source_topic, source_partition, source_offset)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (event_id) DO NOTHING`,
      [event.eventId, subject, reason, JSON.stringify(event), source?.topic ?? null, source?.partition ?? null, source?.offset ?? null],
    );
  }

  async parkedOf(tx: SubjectTx, subject: string, limit: number): Promise<ParkedRow[]> {
    const r = await tx.client.query<{ seq: string; event_id: string; subject: string; event: CanonicalEvent; source_topic: string | null; source_partition: number | null; source_offset: string | null }>(
      `SELECT p.seq::text AS seq, p.event_id::text AS event_id, p.subject, p.event, p.source_topic, p.source_partition, p.source_offset
         FROM ${this.schema}.parked_events p WHERE p.subject = $1 ORDER BY p.seq LIMIT $2`,
      [subject, limit],
    );
    return r.rows.map((row) => ({
      seq: row.seq,
      eventId: row.event_id,
      subject: row.subject,
      event: row.event,
      source: row.source_topic !== null && row.source_partition !== null && row.source_offset !== null ? { topic: row.source_topic, partition: row.source_partition, offset: row.source_offset } : null,
    }));
  }

  async deleteParked(tx: SubjectTx, seqs: readonly string[]): Promise<void> {
    if (seqs.length > 0) await tx.client.query(`DELETE FROM ${this.schema}.parked_events WHERE seq = ANY($1::bigint[])`, [seqs]);
  }

  /** Moves events waiting for an identity behind their (now known, but blocked) customer, keeping their order. */
  async reparkBehindCustomer(tx: SubjectTx, seqs: readonly string[], customerId: string): Promise<void> {
    if (seqs.length > 0) {
      await tx.client.query(`UPDATE ${this.schema}.parked_events SET subject = $2, reason = 'customer-blocked' WHERE seq = ANY($1::bigint[])`, [seqs, `customer:${customerId}`]);
    }
  }

  async link(identityKey: string, scheme: string, customerId: string, eventId: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.schema}.identity_links (identity_key, scheme, customer_id, event_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (identity_key) DO UPDATE SET customer_id = EXCLUDED.customer_id, event_id = EXCLUDED.event_id, linked_at = now()`,
      [identityKey, scheme, customerId, eventId],
    );
  }

  /** `link` for many identities in one statement (one row per identity key: the caller keeps the last). */
  async linkMany(links: readonly { readonly identityKey: string; readonly scheme: string; readonly customerId: string; readonly eventId: string }[]): Promise<void> {
    if (links.length === 0) return;
    await this.pool.query(
      `INSERT INTO ${this.schema}.identity_links (identity_key, scheme, customer_id, event_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[])
       ON CONFLICT (identity_key) DO UPDATE SET customer_id = EXCLUDED.customer_id, event_id = EXCLUDED.event_id, linked_at = now()`,
      [links.map((l) => l.identityKey), links.map((l) => l.scheme), links.map((l) => l.customerId), links.map((l) => l.eventId)],
    );
  }

  /**
   * Which of these subjects have events parked, as seen after every transaction that held one
   * of their locks when this was called has finished: each subject's lock is taken and given
   * back in turn (never two at once, so no deadlock), then the parked table is read. A writer
   * that parks under a subject's lock either finished before (and is seen here) or started
   * after, and then sees whatever the caller committed before calling.
   */
  async parkedAfterBarrier(subjects: readonly string[]): Promise<Set<string>> {
    if (subjects.length === 0) return new Set();
    return withPooledClient(this.pool, async (client) => {
      await client.query(
        `SELECT pg_advisory_lock(q.h) AS locked, pg_advisory_unlock(q.h) AS unlocked
           FROM (SELECT hashtextextended('c360.ingestor.' || x, 7360) AS h FROM unnest($1::text[]) AS x) q`,
        [[...subjects]],
      );
      const r = await client.query<{ subject: string }>(`SELECT DISTINCT subject FROM ${this.schema}.parked_events WHERE subject = ANY($1)`, [[...subjects]]);
      return new Set(r.rows.map((row) => row.subject));
    });
  }

  async unlink(identityKey: string, customerId: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.schema}.identity_links WHERE identity_key = $1 AND customer_id = $2`, [identityKey, customerId]);
  }

  /** Records a dead letter (idempotent on its source position) and blocks its customer. Returns its id. */
  async recordDeadLetter(d: NewDeadLetter): Promise<string> {
    const s = this.schema;
    return withPooledTransaction(this.pool, async (client) => {
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO ${s}.dead_letters (source_topic, source_partition, source_offset, message_key, raw, headers, reason_code, reason_detail, event_id, blocks)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (source_topic, source_partition, source_offset) DO NOTHING RETURNING id::text AS id`,
        [d.source.topic, d.source.partition, d.source.offset, d.key, d.raw, JSON.stringify(d.headers), d.reasonCode, d.reasonDetail, d.eventId, d.blocks],
      );
      let id = inserted.rows[0]?.id;
      if (id === undefined) {
        const existing = await client.query<{ id: string }>(`SELECT id::text AS id FROM ${s}.dead_letters WHERE source_topic = $1 AND source_partition = $2 AND source_offset = $3`, [
          d.source.topic,
          d.source.partition,
          d.source.offset,
        ]);
        id = existing.rows[0]?.id ?? '0';
      } else if (d.blocks !== null) {
        await client.query(`INSERT INTO ${s}.blocked_customers (customer_id) VALUES ($1) ON CONFLICT DO NOTHING`, [d.blocks]);
      }
      return id;
    });
  }

  async listDeadLetters(status: string | undefined, afterId: string | undefined, limit: number): Promise<DeadLetterRow[]> {
    const r = await this.pool.query<DeadLetterDbRow>(
      `SELECT id::text AS id, source_topic, source_partition, source_offset, reason_code, reason_detail, event_id::text AS event_id, blocks, status,
              created_at, resolved_at, coalesce(octet_length(raw), 0) AS size
         FROM ${this.schema}.dead_letters
        WHERE ($1::text IS NULL OR status = $1) AND id > $2::bigint
        ORDER BY dead_letters.id LIMIT $3`,
      [status ?? null, afterId ?? '0', limit],
    );
    return r.rows.map(toDeadLetter);
  }

  async getDeadLetter(id: string): Promise<DeadLetterWithRaw | undefined> {
    const r = await this.pool.query<DeadLetterDbRow>(
      `SELECT id::text AS id, source_topic, source_partition, source_offset, reason_code, reason_detail, event_id::text AS event_id, blocks, status,
              created_at, resolved_at, coalesce(octet_length(raw), 0) AS size, raw
         FROM ${this.schema}.dead_letters WHERE id = $1::bigint`,
      [id],
    );
    const row = r.rows[0];
    return row ? { ...toDeadLetter(row), raw: row.raw ?? null } : undefined;
  }

  /** Marks an open dead letter resolved; false when it was not open (someone else resolved it). */
  async resolveDeadLetter(tx: SubjectTx | undefined, id: string, status: 'redriven' | 'discarded'): Promise<boolean> {
    const q = `UPDATE ${this.schema}.dead_letters SET status = $2, resolved_at = now() WHERE id = $1::bigint AND status = 'open'`;
    const r = tx ? await tx.client.query(q, [id, status]) : await this.pool.query(q, [id, status]);
    return (r.rowCount ?? 0) > 0;
  }

  async openBlockingCount(tx: SubjectTx, customerId: string): Promise<number> {
    const r = await tx.client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.schema}.dead_letters WHERE blocks = $1 AND status = 'open'`, [customerId]);
    return r.rows[0]?.n ?? 0;
  }

  async unblock(tx: SubjectTx, customerId: string): Promise<void> {
    await tx.client.query(`DELETE FROM ${this.schema}.blocked_customers WHERE customer_id = $1`, [customerId]);
  }

  async parkedSummary(limit: number): Promise<ParkedSubjectSummary[]> {
    const r = await this.pool.query<{ subject: string; reason: string; n: number; oldest: Date }>(
      `SELECT subject, min(reason) AS reason, count(*)::int AS n, min(parked_at) AS oldest
         FROM ${this.schema}.parked_events GROUP BY subject ORDER BY min(seq) LIMIT $1`,
      [limit],
    );
    return r.rows.map((row) => ({ subject: row.subject, reason: row.reason, count: row.n, oldestParkedAt: row.oldest }));
  }

  async parkedCount(): Promise<number> {
    const r = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.schema}.parked_events`);
    return r.rows[0]?.n ?? 0;
  }
}
