import type { DataSource } from 'typeorm';
import { assertReadModelSchema } from './schema-name';

export interface ReadModelDigest {
  readonly customers: number;
  readonly identities: number;
  /** md5 over every row in key order, volatile columns (updated_at) excluded. */
  readonly customer360: string;
  readonly customerIdentity: string;
}

/** I6: live equals rebuild — compare these between the live schema and a shadow rebuild. */
export async function readModelDigest(dataSource: DataSource, schema: string): Promise<ReadModelDigest> {
  const s = assertReadModelSchema(schema);
  const [c] = (await dataSource.query(
    `SELECT count(*)::int AS n, md5(coalesce(string_agg(ROW(customer_id, last_revision, state, tier, region,
        relationship_value_minor, churn_risk_score, merged_into, merged_from, last_event_at)::text, E'\\n' ORDER BY customer_id), '')) AS d
       FROM ${s}.customer_360`,
  )) as Array<{ n: number; d: string }>;
  const [i] = (await dataSource.query(
    `SELECT count(*)::int AS n, md5(coalesce(string_agg(ROW(scheme, value, customer_id, linked_at)::text, E'\\n'
        ORDER BY scheme, value, customer_id), '')) AS d FROM ${s}.customer_identity`,
  )) as Array<{ n: number; d: string }>;
  return { customers: c?.n ?? 0, identities: i?.n ?? 0, customer360: c?.d ?? '', customerIdentity: i?.d ?? '' };
}
