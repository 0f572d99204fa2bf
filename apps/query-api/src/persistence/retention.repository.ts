import type { SqlClient } from './sql-client';
import { assertIdentifier } from './sql-client';

export interface Retention {
  readonly customerId: string;
  readonly basis: string;
  readonly retainUntil: Date;
  readonly setBy: string;
  readonly setAt: Date;
}

export type ErasureStatus = 'restricted' | 'erased';

export interface ErasureRequest {
  readonly customerId: string;
  readonly status: ErasureStatus;
  readonly requestedBy: string;
  readonly requestedAt: Date;
  readonly restrictedUntil: Date | null;
  readonly erasedAt: Date | null;
}

interface ErasureRow {
  customer_id: string;
  status: ErasureStatus;
  requested_by: string;
  requested_at: Date;
  restricted_until: Date | null;
  erased_at: Date | null;
}

const toRequest = (r: ErasureRow): ErasureRequest => ({
  customerId: r.customer_id,
  status: r.status,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at,
  restrictedUntil: r.restricted_until,
  erasedAt: r.erased_at,
});

/** Legal retentions (e.g. AML record keeping until a date) and erasure requests. */
export class RetentionRepository {
  private readonly s: string;

  constructor(
    private readonly db: SqlClient,
    schema: string,
  ) {
    this.s = assertIdentifier(schema);
  }

  async setRetention(customerId: string, basis: string, retainUntil: Date, setBy: string): Promise<Retention> {
    const { rows } = await this.db.query<{ set_at: Date }>(
      `INSERT INTO ${this.s}.customer_retention (customer_id, basis, retain_until, set_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (customer_id) DO UPDATE SET basis = EXCLUDED.basis, retain_until = EXCLUDED.retain_until,
         set_by = EXCLUDED.set_by, set_at = now()
       RETURNING set_at`,
      [customerId, basis, retainUntil, setBy],
    );
    return { customerId, basis, retainUntil, setBy, setAt: rows[0]?.set_at ?? new Date() };
  }

  async retentionOf(customerId: string): Promise<Retention | null> {
    const { rows } = await this.db.query<{ basis: string; retain_until: Date; set_by: string; set_at: Date }>(
      `SELECT basis, retain_until, set_by, set_at FROM ${this.s}.customer_retention WHERE customer_id = $1`,
      [customerId],
    );
    const r = rows[0];
    return r ? { customerId, basis: r.basis, retainUntil: r.retain_until, setBy: r.set_by, setAt: r.set_at } : null;
  }

  async erasureOf(customerId: string): Promise<ErasureRequest | null> {
    const { rows } = await this.db.query<ErasureRow>(
      `SELECT customer_id, status, requested_by, requested_at, restricted_until, erased_at FROM ${this.s}.erasure_requests WHERE customer_id = $1`,
      [customerId],
    );
    return rows[0] ? toRequest(rows[0]) : null;
  }

  /** Records a restriction (erasure requested during a retention); an erased customer stays erased. */
  async recordRestricted(customerId: string, requestedBy: string, reason: string, until: Date): Promise<ErasureRequest> {
    const { rows } = await this.db.query<ErasureRow>(
      `INSERT INTO ${this.s}.erasure_requests (customer_id, status, requested_by, reason, restricted_until)
       VALUES ($1, 'restricted', $2, $3, $4)
       ON CONFLICT (customer_id) DO UPDATE SET restricted_until = EXCLUDED.restricted_until
         WHERE ${this.s}.erasure_requests.status = 'restricted'
       RETURNING customer_id, status, requested_by, requested_at, restricted_until, erased_at`,
      [customerId, requestedBy, reason, until],
    );
    return rows[0] ? toRequest(rows[0]) : ((await this.erasureOf(customerId)) as ErasureRequest);
  }

  async recordErased(customerId: string, requestedBy: string, reason: string, erasedAt: Date, finalRefoldDue: Date): Promise<ErasureRequest> {
    const { rows } = await this.db.query<ErasureRow>(
      `INSERT INTO ${this.s}.erasure_requests (customer_id, status, requested_by, reason, erased_at, final_refold_due)
       VALUES ($1, 'erased', $2, $3, $4, $5)
       ON CONFLICT (customer_id) DO UPDATE SET status = 'erased', erased_at = COALESCE(${this.s}.erasure_requests.erased_at, EXCLUDED.erased_at),
         final_refold_due = EXCLUDED.final_refold_due, final_refold_done_at = NULL
       RETURNING customer_id, status, requested_by, requested_at, restricted_until, erased_at`,
      [customerId, requestedBy, reason, erasedAt, finalRefoldDue],
    );
    return toRequest(rows[0] as ErasureRow);
  }

  /** Restrictions whose retention has ended (and whose retention was not extended since). */
  async dueForErasure(now: Date, limit: number): Promise<Array<{ customerId: string; reason: string }>> {
    const { rows } = await this.db.query<{ customer_id: string; reason: string }>(
      `SELECT e.customer_id, e.reason FROM ${this.s}.erasure_requests e
         LEFT JOIN ${this.s}.customer_retention r ON r.customer_id = e.customer_id
        WHERE e.status = 'restricted' AND e.restricted_until <= $1 AND (r.retain_until IS NULL OR r.retain_until <= $1)
        ORDER BY e.restricted_until LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => ({ customerId: r.customer_id, reason: r.reason }));
  }

  /** A retention extended while restricted moves the restriction's end with it. */
  async extendRestrictions(now: Date): Promise<void> {
    await this.db.query(
      `UPDATE ${this.s}.erasure_requests e SET restricted_until = r.retain_until
         FROM ${this.s}.customer_retention r
        WHERE r.customer_id = e.customer_id AND e.status = 'restricted' AND e.restricted_until <= $1 AND r.retain_until > $1`,
      [now],
    );
  }

  async dueForFinalRefold(now: Date, limit: number): Promise<string[]> {
    const { rows } = await this.db.query<{ customer_id: string }>(
      `SELECT customer_id FROM ${this.s}.erasure_requests WHERE final_refold_done_at IS NULL AND final_refold_due <= $1 ORDER BY final_refold_due LIMIT $2`,
      [now, limit],
    );
    return rows.map((r) => r.customer_id);
  }

  async markFinalRefoldDone(customerId: string): Promise<void> {
    await this.db.query(`UPDATE ${this.s}.erasure_requests SET final_refold_done_at = now() WHERE customer_id = $1`, [customerId]);
  }
}
