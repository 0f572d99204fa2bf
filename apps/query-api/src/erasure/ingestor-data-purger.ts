import type { Pool } from 'pg';
import { assertIdentifier } from '../persistence/sql-client';
import { withPooledTransaction } from '@c360/event-store';

/** What an erasure removed from the ingestor's own tables (counts only: recorded in the audit log). */
export interface IngestorPurge {
  readonly parkedEventsDeleted: number;
  readonly deadLettersScrubbed: number;
}

const NOTHING: IngestorPurge = { parkedEventsDeleted: 0, deadLettersScrubbed: 0 };

/** The ingestor's tables are absent (no ingestor in this deployment yet): nothing to purge. */
const missing = (e: unknown): boolean => {
  const code = (e as { code?: unknown }).code;
  return code === '42P01' || code === '3F000';
};

/**
 * Personal data the ingestor keeps outside the event store, purged when a customer is erased
 * (the event store's copy is crypto-shredded; these copies are plain):
 * - `parked_events` — validated events waiting for an identity link or behind a dead letter:
 *   the customer's are deleted (subject `customer:<id>`, `identity:<key>` of one of the
 *   customer's linked identities, or an event naming the customer). Their data would otherwise
 *   be appended later under a destroyed key; the erasure's audit record keeps the count.
 * - `dead_letters` — raw message bytes kept for operators: the customer's (blocking it, or
 *   keyed `customer:<id>` / `identity:<key prefix>` on the topic, as the gateway keys them) keep
 *   their position, reason code and status, but lose the bytes, the key and the free-text detail.
 * Reached by SQL (the query API does not import the ingestor's code); `identity_links` holds
 * only hashes and is what routes the customer's later events, so it stays.
 */
export class IngestorDataPurger {
  private readonly s: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.s = assertIdentifier(schema);
  }

  async purge(customerId: string): Promise<IngestorPurge> {
    try {
      return await withPooledTransaction(this.pool, async (client) => {
        const keys = (await client.query<{ identity_key: string }>(`SELECT identity_key FROM ${this.s}.identity_links WHERE customer_id = $1`, [customerId])).rows.map((r) => r.identity_key);
        const subjects = [`customer:${customerId}`, ...keys.map((k) => `identity:${k}`)];
        // The gateway keys a message `customer:<id>`, or `identity:` + the first 32 hex digits of the same hash.
        const messageKeys = [`customer:${customerId}`, ...keys.map((k) => `identity:${k.slice(0, 32)}`)].map((k) => Buffer.from(k, 'utf8'));
        const parked = await client.query(
          `DELETE FROM ${this.s}.parked_events WHERE subject = ANY($1::text[]) OR event->>'customerId' = $2`,
          [subjects, customerId],
        );
        const letters = await client.query(
          `UPDATE ${this.s}.dead_letters
              SET raw = NULL, message_key = NULL, reason_detail = 'personal data erased with the customer'
            WHERE (blocks = $1 OR message_key = ANY($2::bytea[]))
              AND (raw IS NOT NULL OR message_key IS NOT NULL)`,
          [customerId, messageKeys],
        );
        return { parkedEventsDeleted: parked.rowCount ?? 0, deadLettersScrubbed: letters.rowCount ?? 0 };
      });
    } catch (e) {
      if (missing(e)) return NOTHING;
      throw e;
    }
  }
}
