import type { Customer360State } from '@c360/customer-domain';
import type { Customer360Record, Customer360Repository, StoredCustomer360 } from '@c360/projections';
import type { EntityManager } from 'typeorm';
import { decodeDocument, encodeDocument } from '../state-codec';

interface Row {
  customer_id: string;
  last_revision: string;
  state: unknown;
}

type Identity = { readonly scheme: string; readonly value: string; readonly linkedAt: string };

/** Identities a row exposes to lookups: none while it is merged into a survivor (the survivor shows them). */
const lookupIdentities = (state: Customer360State | undefined): Identity[] =>
  state && state.mergedInto === null ? [...state.identities] : [];

// linkedAt is part of the key: an unlink + relink (or a merge) changes it, and the row must follow.
const key = (i: Identity): string => `${i.scheme}\u0000${i.value}\u0000${i.linkedAt}`;

/** customer_360 + customer_identity in one schema, bound to the batch's transaction. */
export class Customer360TypeOrmRepository implements Customer360Repository {
  constructor(
    private readonly manager: EntityManager,
    private readonly schema: string,
  ) {}

  async load(customerId: string): Promise<StoredCustomer360 | null> {
    const rows = await this.manager.query<Row[]>(
      `SELECT customer_id, last_revision::text AS last_revision, state FROM ${this.schema}.customer_360 WHERE customer_id = $1 FOR UPDATE`,
      [customerId],
    );
    const row = rows[0];
    if (!row) return null;
    return { customerId: row.customer_id, lastRevision: Number(row.last_revision), state: decodeDocument<Customer360State>(row.state) };
  }

  async survivorsOf(customerId: string): Promise<string[]> {
    const rows = await this.manager.query<Array<{ customer_id: string }>>(
      `SELECT customer_id FROM ${this.schema}.customer_360 WHERE merged_from <> '{}' AND merged_from @> ARRAY[$1]::text[] ORDER BY customer_id`,
      [customerId],
    );
    return rows.map((r) => r.customer_id);
  }

  async save(record: Customer360Record, previous: StoredCustomer360 | null): Promise<void> {
    await this.manager.query(
      `INSERT INTO ${this.schema}.customer_360 AS c (customer_id, last_revision, state, tier, region,
         relationship_value_minor, churn_risk_score, merged_into, merged_from, last_event_at, updated_at)
       VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8, $9::text[], $10, now())
       ON CONFLICT (customer_id) DO UPDATE SET last_revision = EXCLUDED.last_revision, state = EXCLUDED.state,
         tier = EXCLUDED.tier, region = EXCLUDED.region, relationship_value_minor = EXCLUDED.relationship_value_minor,
         churn_risk_score = EXCLUDED.churn_risk_score, merged_into = EXCLUDED.merged_into,
         merged_from = EXCLUDED.merged_from, last_event_at = EXCLUDED.last_event_at, updated_at = now()`,
      [
        record.customerId,
        record.lastRevision,
        JSON.stringify(encodeDocument(record.state)),
        record.tier,
        record.region,
        record.relationshipValueMinor,
        record.churnRiskScore,
        record.mergedInto,
        [...record.mergedFrom],
        record.lastEventAt,
      ],
    );
    await this.syncIdentities(record.customerId, lookupIdentities(previous?.state), lookupIdentities(record.state));
  }

  /** Applies the difference only, so an ordinary event costs no identity write. */
  private async syncIdentities(customerId: string, before: Identity[], after: Identity[]): Promise<void> {
    const afterKeys = new Set(after.map(key));
    const beforeKeys = new Set(before.map(key));
    const removed = before.filter((i) => !afterKeys.has(key(i)));
    const added = after.filter((i) => !beforeKeys.has(key(i)));
    if (removed.length > 0)
      await this.manager.query(
        `DELETE FROM ${this.schema}.customer_identity i USING unnest($2::text[], $3::text[]) AS r(scheme, value)
          WHERE i.customer_id = $1 AND i.scheme = r.scheme AND i.value = r.value`,
        [customerId, removed.map((i) => i.scheme), removed.map((i) => i.value)],
      );
    if (added.length > 0)
      await this.manager.query(
        `INSERT INTO ${this.schema}.customer_identity (scheme, value, customer_id, linked_at)
         SELECT a.scheme, a.value, $1, a.linked_at FROM unnest($2::text[], $3::text[], $4::timestamptz[]) AS a(scheme, value, linked_at)
         ON CONFLICT DO NOTHING`,
        [customerId, added.map((i) => i.scheme), added.map((i) => i.value), added.map((i) => i.linkedAt)],
      );
  }
}
