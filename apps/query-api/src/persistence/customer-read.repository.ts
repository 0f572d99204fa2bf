import type { Customer360State } from '@c360/customer-domain';
import { CUSTOMER_360_PROJECTION, partitionOf } from '@c360/projections';
import { decodeDocument, decodeDocumentText } from '@c360/read-models';
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
  /** The live read's statement per erasure schema (one in practice), prepared on each connection. */
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
   * The live row and the customer's erasure status in one round trip (the hot read path).
   * `erasureSchema` is the query API's own schema (erasure_requests). A named statement: the
   * join's planning would otherwise cost the database more than the lookup itself.
   */
  async liveById(customerId: string, erasureSchema: string): Promise<{ row: Customer360Row; erasure: LiveErasure | null } | null> {
    const { rows } = await this.db.query<Row & { erasure_status: 'restricted' | 'erased' | null; restricted_until: Date | null }>({
      ...this.liveStatement(erasureSchema),
      values: [customerId],
    });
    const r = rows[0];
    if (!r) return null;
    return { row: toRow(r), erasure: r.erasure_status === null ? null : { status: r.erasure_status, restrictedUntil: r.restricted_until } };
  }

  private liveStatement(erasureSchema: string): { readonly name: string; readonly text: string } {
    let statement = this.liveSql.get(erasureSchema);
    if (!statement) {
      statement = {
        name: `c360-query-live:${this.s}:${assertIdentifier(erasureSchema)}`,
        text: `SELECT c.customer_id, c.last_revision::text AS last_revision, c.state::text AS state, c.tier, c.relationship_value_minor::text AS relationship_value_minor,
              c.churn_risk_score, c.merged_into, e.status AS erasure_status, e.restricted_until
         FROM ${this.s}.customer_360 c
         LEFT JOIN ${erasureSchema}.erasure_requests e ON e.customer_id = c.customer_id
        WHERE c.customer_id = $1`,
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
