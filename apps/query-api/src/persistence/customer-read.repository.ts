import type { Customer360State } from '@c360/customer-domain';
import { CUSTOMER_360_PROJECTION, partitionOf } from '@c360/projections';
import { decodeDocument, decodeDocumentText } from '@c360/read-models';
import type { AuditEntry } from './audit-log.repository';
import { quoteArrayElement, textArrayLiteral } from './audit-log.repository';
import type { SqlClient } from './sql-client';
import { assertIdentifier } from './sql-client';

/** A customer-360 row as the read side sees it (the domain state plus its derived columns). */
export interface Customer360Row {
  readonly customerId: string;
  readonly lastRevision: number;
  readonly state: Customer360State;
  readonly tier: string;
  readonly relationshipValueMinor: number;
  readonly churnRiskScore: number;
  readonly mergedInto: string | null;
}

interface Row {
  customer_id: string;
  last_revision: string;
  state: unknown;
  tier: string;
  relationship_value_minor: string;
  churn_risk_score: number;
  merged_into: string | null;
}

/** What the hot read path needs of an erasure request (RetentionRepository has the whole record). */
export interface LiveErasure {
  readonly status: 'restricted' | 'erased';
  readonly restrictedUntil: Date | null;
}

/** What an audit record says about one outcome of a read. */
export interface AuditOutcome {
  readonly fields: readonly string[];
  readonly piiShown: boolean;
  readonly outcome: string;
  readonly detail: AuditEntry['detail'];
}

/**
 * A live 360 read together with its audit record, which is written in the same statement. The
 * record's content depends on what the read finds, so the caller states it for each case (the
 * policy — who sees what — stays in TypeScript; the statement only picks the matching case).
 */
export interface AuditedLiveRead {
  readonly customerId: string;
  readonly requestId: string | null;
  readonly client: string;
  readonly tokenId: string | null;
  readonly action: string;
  /** The customer exists, no restriction (not erased, or erased: the fields read as erased). */
  readonly ifOpen: AuditOutcome;
  /** The customer exists and is under restriction (erasure waiting for a legal retention). */
  readonly ifRestricted: AuditOutcome;
  readonly ifNotFound: AuditOutcome;
}

/** A live read's result: the state and the erasure status (null: no such customer). */
export interface LiveRead {
  readonly state: Customer360State;
  readonly erasure: LiveErasure | null;
}

/**
 * An outcome's parts as elements of the statement's array parameters (the fields' text[]
 * literal and the detail's JSON, quoted), encoded once per outcome object: callers reuse a few
 * constant ones.
 */
interface EncodedOutcome {
  readonly fields: string;
  readonly pii: string;
  readonly outcome: string;
  readonly detail: string;
}
const encodedOutcomes = new WeakMap<AuditOutcome, EncodedOutcome>();
const encoded = (o: AuditOutcome): EncodedOutcome => {
  let e = encodedOutcomes.get(o);
  if (!e) {
    e = {
      fields: quoteArrayElement(textArrayLiteral(o.fields)),
      pii: o.piiShown ? 't' : 'f',
      outcome: quoteArrayElement(o.outcome),
      detail: quoteArrayElement(JSON.stringify(o.detail)),
    };
    encodedOutcomes.set(o, e);
  }
  return e;
};

const toRow = (r: Row): Customer360Row => ({
  customerId: r.customer_id,
  lastRevision: Number(r.last_revision),
  // The live read fetches the state as text: one JSON.parse, and the Date-tag walk only when
  // the text holds a tag (the driver would parse the jsonb, then decodeDocument walk it all).
  state: typeof r.state === 'string' ? decodeDocumentText<Customer360State>(r.state) : decodeDocument<Customer360State>(r.state),
  tier: r.tier,
  relationshipValueMinor: Number(r.relationship_value_minor),
  churnRiskScore: r.churn_risk_score,
  mergedInto: r.merged_into,
});

/** Read-only queries over the read models (customer_360, customer_identity, checkpoints). */
export class CustomerReadRepository {
  private readonly s: string;
  private partitionCount: number | null = null;
  private readonly byIdSql: string;
  /** The audited live read's statement per erasure schema (one in practice), prepared on each connection. */
  private readonly liveSql = new Map<string, { readonly name: string; readonly text: string }>();

  constructor(
    private readonly db: SqlClient,
    schema: string,
  ) {
    this.s = assertIdentifier(schema);
    this.byIdSql = `SELECT customer_id, last_revision::text AS last_revision, state::text AS state, tier, relationship_value_minor::text AS relationship_value_minor,
              churn_risk_score, merged_into
         FROM ${this.s}.customer_360 WHERE customer_id = $1`;
  }

  async byId(customerId: string): Promise<Customer360Row | null> {
    const { rows } = await this.db.query<Row>({ name: `c360-query-by-id:${this.s}`, text: this.byIdSql, values: [customerId] });
    const r = rows[0];
    return r ? toRow(r) : null;
  }

  /**
   * Live reads of several customers and their audit records in ONE statement (one round trip,
   * one transaction): the rows (with their erasure status) are read and every read's audit record
   * is inserted, the record stating what that read found. The statement commits before the
   * driver hands back any row, so no row reaches a caller unless its record committed; if the
   * INSERT fails nothing is returned. `erasureSchema` holds erasure_requests and audit_log (the
   * query API's own schema). One result per read, in order.
   */
  async liveByIdsAudited(erasureSchema: string, reads: readonly AuditedLiveRead[]): Promise<(LiveRead | null)[]> {
    const n = reads.length;
    if (n === 0) return [];
    // One array per column (17 parameters whatever the group size: the text never changes, so
    // the statement is prepared once per connection), each passed as its array literal, built
    // here from pre-quoted constant parts (the driver would escape every element of every read).
    const columns: string[][] = Array.from({ length: 17 }, () => new Array<string>(n));
    for (let i = 0; i < n; i++) {
      const r = reads[i] as AuditedLiveRead;
      const put = (c: number, v: string): void => void ((columns[c] as string[])[i] = v);
      put(0, quoteArrayElement(r.customerId));
      put(1, quoteArrayElement(r.requestId));
      put(2, quoteArrayElement(r.client));
      put(3, quoteArrayElement(r.tokenId));
      put(4, quoteArrayElement(r.action));
      [r.ifOpen, r.ifRestricted, r.ifNotFound].forEach((o, k) => {
        const e = encoded(o);
        put(5 + 4 * k, e.fields);
        put(6 + 4 * k, e.pii);
        put(7 + 4 * k, e.outcome);
        put(8 + 4 * k, e.detail);
      });
    }
    const { rows } = await this.db.query<{ n: string; state: string; erasure_status: 'restricted' | 'erased' | null; restricted_until: Date | null }>({
      ...this.auditedLiveStatement(erasureSchema),
      values: columns.map((c) => `{${c.join(',')}}`),
    });
    const out = new Array<LiveRead | null>(n).fill(null);
    for (const r of rows) {
      out[Number(r.n) - 1] = {
        state: decodeDocumentText<Customer360State>(r.state),
        erasure: r.erasure_status === null ? null : { status: r.erasure_status, restrictedUntil: r.restricted_until },
      };
    }
    return out;
  }

  private auditedLiveStatement(erasureSchema: string): { readonly name: string; readonly text: string } {
    let statement = this.liveSql.get(erasureSchema);
    if (!statement) {
      const q = assertIdentifier(erasureSchema);
      // `req`: one row per read (n = its place); `hit`: the reads that found their customer;
      // `audit`: one record per read, its case picked by what the read found. A data-modifying
      // CTE runs to completion whether or not the outer query reads it, in the same transaction.
      statement = {
        name: `c360-query-live-audited:${this.s}:${q}`,
        text: `WITH req AS MATERIALIZED (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                $6::text[], $7::boolean[], $8::text[], $9::text[],
                                $10::text[], $11::boolean[], $12::text[], $13::text[],
                                $14::text[], $15::boolean[], $16::text[], $17::text[])
             WITH ORDINALITY AS r(customer_id, request_id, client, token_id, action,
                                  open_fields, open_pii, open_outcome, open_detail,
                                  restricted_fields, restricted_pii, restricted_outcome, restricted_detail,
                                  missing_fields, missing_pii, missing_outcome, missing_detail, n)
         ), hit AS MATERIALIZED (
           SELECT r.n, c.state::text AS state, e.status AS erasure_status, e.restricted_until
             FROM req r
             JOIN ${this.s}.customer_360 c ON c.customer_id = r.customer_id
             LEFT JOIN ${q}.erasure_requests e ON e.customer_id = r.customer_id
         ), audit AS (
           INSERT INTO ${q}.audit_log (request_id, client, token_id, action, customer_id, fields, pii_shown, outcome, detail)
           SELECT r.request_id, r.client, r.token_id, r.action, r.customer_id,
                  (CASE WHEN h.n IS NULL THEN r.missing_fields WHEN h.erasure_status = 'restricted' THEN r.restricted_fields ELSE r.open_fields END)::text[],
                  CASE WHEN h.n IS NULL THEN r.missing_pii WHEN h.erasure_status = 'restricted' THEN r.restricted_pii ELSE r.open_pii END,
                  CASE WHEN h.n IS NULL THEN r.missing_outcome WHEN h.erasure_status = 'restricted' THEN r.restricted_outcome ELSE r.open_outcome END,
                  (CASE WHEN h.n IS NULL THEN r.missing_detail WHEN h.erasure_status = 'restricted' THEN r.restricted_detail ELSE r.open_detail END)::jsonb
             FROM req r LEFT JOIN hit h ON h.n = r.n
            ORDER BY r.n
         )
         SELECT n::text AS n, state, erasure_status, restricted_until FROM hit`,
      };
      this.liveSql.set(erasureSchema, statement);
    }
    return statement;
  }

  /** Customers a channel identity points at (normally one; two when bad data claims one identity twice). */
  async lookup(scheme: string, value: string): Promise<string[]> {
    const { rows } = await this.db.query<{ customer_id: string }>(
      `SELECT customer_id FROM ${this.s}.customer_identity WHERE scheme = $1 AND value = $2 ORDER BY customer_id LIMIT 10`,
      [scheme, value],
    );
    return rows.map((r) => r.customer_id);
  }

  /**
   * The customer-360 checkpoint of the partition that holds `customerId`: every event of that
   * partition at or below it is applied. Null when the projection has not registered yet.
   */
  async checkpointFor(customerId: string): Promise<bigint | null> {
    if (this.partitionCount === null) {
      const { rows } = await this.db.query<{ partition_count: number }>(
        `SELECT partition_count FROM ${this.s}.projection_checkpoints WHERE projection = $1 LIMIT 1`,
        [CUSTOMER_360_PROJECTION],
      );
      if (!rows[0]) return null;
      this.partitionCount = rows[0].partition_count;
    }
    const { rows } = await this.db.query<{ position: string }>(
      `SELECT position::text AS position FROM ${this.s}.projection_checkpoints WHERE projection = $1 AND partition = $2`,
      [CUSTOMER_360_PROJECTION, partitionOf(customerId, this.partitionCount)],
    );
    return rows[0] ? BigInt(rows[0].position) : null;
  }
}
