import type { DataSource } from 'typeorm';
import { assertReadModelSchema } from './schema-name';

export interface ReadModelDigest {
  readonly customers: number;
  readonly identities: number;
  /** md5 over every row in key order, volatile columns (updated_at) excluded. */
  readonly customer360: string;
  readonly customerIdentity: string;
  /**
   * segment_membership, segment_membership_history (recorded_at excluded), churn_flags. The
   * derived_outbox is a delivery log, not a read model: after a merge a live projector may have
   * announced transitions a rebuild never sees, so it is not part of the digest.
   */
  readonly segmentMembership: string;
  readonly segmentHistory: string;
  readonly churnFlags: string;
}

const digestOf = async (dataSource: DataSource, sql: string): Promise<string> => {
  const [r] = await dataSource.query<Array<{ d: string }>>(sql);
  return r?.d ?? '';
};

/** I6: live equals rebuild — compare these between the live schema and a shadow rebuild. */
export async function readModelDigest(dataSource: DataSource, schema: string): Promise<ReadModelDigest> {
  const s = assertReadModelSchema(schema);
  const [c] = await dataSource.query<Array<{ n: number; d: string }>>(
    `SELECT count(*)::int AS n, md5(coalesce(string_agg(ROW(customer_id, last_revision, state, tier, region,
        relationship_value_minor, churn_risk_score, merged_into, merged_from, last_event_at)::text, E'\\n' ORDER BY customer_id), '')) AS d
       FROM ${s}.customer_360`,
  );
  const [i] = await dataSource.query<Array<{ n: number; d: string }>>(
    `SELECT count(*)::int AS n, md5(coalesce(string_agg(ROW(scheme, value, customer_id, linked_at)::text, E'\\n'
        ORDER BY scheme, value, customer_id), '')) AS d FROM ${s}.customer_identity`,
  );
  const segmentMembership = await digestOf(
    dataSource,
    `SELECT md5(coalesce(string_agg(ROW(segment_id, customer_id, since, rule_version, reason)::text, E'\\n'
        ORDER BY segment_id, customer_id), '')) AS d FROM ${s}.segment_membership`,
  );
  const segmentHistory = await digestOf(
    dataSource,
    `SELECT md5(coalesce(string_agg(ROW(customer_id, segment_id, change, at, rule_version, reason, revision, cause)::text, E'\\n'
        ORDER BY customer_id, segment_id, cause, change), '')) AS d FROM ${s}.segment_membership_history`,
  );
  const churnFlags = await digestOf(
    dataSource,
    `SELECT md5(coalesce(string_agg(ROW(flag_id, customer_id, code, status, reason, evidence_event_ids, since, raised_at,
        cleared_at, rule_version, raised_cause, cleared_cause)::text, E'\\n' ORDER BY flag_id), '')) AS d FROM ${s}.churn_flags`,
  );
  return {
    customers: c?.n ?? 0,
    identities: i?.n ?? 0,
    customer360: c?.d ?? '',
    customerIdentity: i?.d ?? '',
    segmentMembership,
    segmentHistory,
    churnFlags,
  };
}
