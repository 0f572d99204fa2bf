import type { ChurnConfigOverrides, CurrentMembership, SegmentDefinition } from '@c360/customer-domain';
import type {
  ChurnFlagChanges,
  ChurnFlagRepository,
  ChurnRules,
  DerivedOutbox,
  DerivedRepositories,
  MembershipHistoryRow,
  OutboxMessage,
  SegmentMembershipRepository,
  StoredChurnFlag,
} from '@c360/projections';
import type { EntityManager } from 'typeorm';
import { toStoredFlag, type ChurnFlagRow } from './churn-flag-rows';

export const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());
const isoOf = (v: Date | string): string => new Date(v).toISOString();

/** segment_membership + segment_membership_history, bound to a transaction. */
export class SegmentMembershipTypeOrmRepository implements SegmentMembershipRepository {
  private definitions: Promise<readonly SegmentDefinition[]> | undefined;

  constructor(
    private readonly manager: EntityManager,
    private readonly schema: string,
  ) {}

  activeDefinitions(): Promise<readonly SegmentDefinition[]> {
    this.definitions ??= this.manager.query<Array<{ definition: SegmentDefinition }>>(
        `SELECT definition FROM ${this.schema}.segment_definitions WHERE status = 'active' ORDER BY id`,
      ).then((rows) => rows.map((r) => r.definition));
    return this.definitions;
  }

  async clear(customerId: string): Promise<void> {
    await this.manager.query(`DELETE FROM ${this.schema}.segment_membership WHERE customer_id = $1`, [customerId]);
    await this.manager.query(`DELETE FROM ${this.schema}.segment_membership_history WHERE customer_id = $1`, [customerId]);
  }

  async membershipOf(customerId: string): Promise<CurrentMembership[]> {
    const rows = await this.manager.query<Array<{ segment_id: string; rule_version: number; since: Date; reason: string }>>(
      `SELECT segment_id, rule_version, since, reason FROM ${this.schema}.segment_membership WHERE customer_id = $1 ORDER BY segment_id`,
      [customerId],
    );
    return rows.map((r) => ({ segmentId: r.segment_id, version: r.rule_version, since: isoOf(r.since), reason: r.reason }));
  }

  async record(
    customerId: string,
    changes: { readonly upsert: readonly CurrentMembership[]; readonly remove: readonly string[] },
    history: readonly MembershipHistoryRow[],
  ): Promise<void> {
    const s = this.schema;
    if (changes.remove.length > 0)
      await this.manager.query(`DELETE FROM ${s}.segment_membership WHERE customer_id = $1 AND segment_id = ANY($2::text[])`, [
        customerId,
        [...changes.remove],
      ]);
    if (changes.upsert.length > 0)
      await this.manager.query(
        `INSERT INTO ${s}.segment_membership (segment_id, customer_id, since, rule_version, reason)
         SELECT u.segment_id, $1, u.since, u.rule_version, u.reason
           FROM unnest($2::text[], $3::timestamptz[], $4::int[], $5::text[]) AS u(segment_id, since, rule_version, reason)
         ON CONFLICT (segment_id, customer_id) DO UPDATE SET since = EXCLUDED.since, rule_version = EXCLUDED.rule_version, reason = EXCLUDED.reason`,
        [
          customerId,
          changes.upsert.map((m) => m.segmentId),
          changes.upsert.map((m) => m.since),
          changes.upsert.map((m) => m.version),
          changes.upsert.map((m) => m.reason),
        ],
      );
    if (history.length > 0)
      await this.manager.query(
        `INSERT INTO ${s}.segment_membership_history (customer_id, segment_id, change, at, rule_version, reason, revision, cause)
         SELECT $1, h.segment_id, h.change, h.at, h.rule_version, h.reason, h.revision, h.cause
           FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::int[], $6::text[], $7::bigint[], $8::text[])
             AS h(segment_id, change, at, rule_version, reason, revision, cause)
         ON CONFLICT DO NOTHING`,
        [
          customerId,
          history.map((h) => h.segmentId),
          history.map((h) => h.change),
          history.map((h) => h.at),
          history.map((h) => h.ruleVersion),
          history.map((h) => h.reason),
          history.map((h) => h.revision),
          history.map((h) => h.cause),
        ],
      );
  }
}

/**
 * churn_flags, churn_rule_versions, customer_clock and customer_360's risk score, bound to a
 * transaction. `prefetch` reads a page's open flags and sweep times in two statements; a
 * customer's cached values are dropped when this repository writes them.
 */
export class ChurnFlagTypeOrmRepository implements ChurnFlagRepository {
  private rules: Promise<ChurnRules> | undefined;
  private readonly open = new Map<string, StoredChurnFlag[]>();
  private readonly swept = new Map<string, string | null>();

  constructor(
    private readonly manager: EntityManager,
    private readonly schema: string,
  ) {}

  activeRules(): Promise<ChurnRules> {
    this.rules ??= this.manager.query<
        Array<{ version: number; overrides: ChurnConfigOverrides }>
      >(`SELECT version, overrides FROM ${this.schema}.churn_rule_versions WHERE status = 'active'`).then((rows) => (rows[0] ? { version: rows[0].version, overrides: rows[0].overrides } : { version: 1, overrides: {} }));
    return this.rules;
  }

  async prefetch(customerIds: readonly string[]): Promise<void> {
    const ids = [...new Set(customerIds)];
    if (ids.length === 0) return;
    const flags = await this.manager.query<Array<ChurnFlagRow & { customer_id: string }>>(
      `SELECT customer_id, flag_id, code, reason, evidence_event_ids, since, raised_at, rule_version FROM ${this.schema}.churn_flags
        WHERE customer_id = ANY($1::text[]) AND status = 'open' ORDER BY customer_id, code`,
      [ids],
    );
    const clocks = await this.manager.query<Array<{ customer_id: string; swept_at: Date }>>(
      `SELECT customer_id, swept_at FROM ${this.schema}.customer_clock WHERE customer_id = ANY($1::text[])`,
      [ids],
    );
    for (const id of ids) {
      this.open.set(id, []);
      this.swept.set(id, null);
    }
    for (const r of flags) this.open.get(r.customer_id)?.push(toStoredFlag(r));
    for (const r of clocks) this.swept.set(r.customer_id, isoOf(r.swept_at));
  }

  async openFlagsOf(customerId: string): Promise<StoredChurnFlag[]> {
    const cached = this.open.get(customerId);
    if (cached !== undefined) return [...cached];
    const rows = await this.manager.query<ChurnFlagRow[]>(
      `SELECT flag_id, code, reason, evidence_event_ids, since, raised_at, rule_version FROM ${this.schema}.churn_flags
        WHERE customer_id = $1 AND status = 'open' ORDER BY code`,
      [customerId],
    );
    return rows.map(toStoredFlag);
  }

  async clear(customerId: string): Promise<void> {
    this.open.delete(customerId);
    await this.manager.query(`DELETE FROM ${this.schema}.churn_flags WHERE customer_id = $1`, [customerId]);
  }

  async sweptAt(customerId: string): Promise<string | null> {
    const cached = this.swept.get(customerId);
    if (cached !== undefined) return cached;
    const rows = await this.manager.query<Array<{ swept_at: Date }>>(`SELECT swept_at FROM ${this.schema}.customer_clock WHERE customer_id = $1`, [
      customerId,
    ]);
    return rows[0] ? isoOf(rows[0].swept_at) : null;
  }

  async setSweptAt(customerId: string, at: string): Promise<void> {
    this.swept.delete(customerId);
    await this.manager.query(
      `INSERT INTO ${this.schema}.customer_clock (customer_id, swept_at) VALUES ($1, $2)
       ON CONFLICT (customer_id) DO UPDATE SET swept_at = GREATEST(${this.schema}.customer_clock.swept_at, EXCLUDED.swept_at)`,
      [customerId, at],
    );
  }

  async apply(customerId: string, changes: ChurnFlagChanges): Promise<void> {
    this.open.delete(customerId);
    const s = this.schema;
    for (const c of changes.cleared)
      await this.manager.query(
        `UPDATE ${s}.churn_flags SET status = 'cleared', cleared_at = $2, cleared_cause = $3 WHERE flag_id = $1 AND status = 'open'`,
        [c.flagId, c.clearedAt, c.cause],
      );
    for (const f of changes.raised)
      await this.manager.query(
        `INSERT INTO ${s}.churn_flags (flag_id, customer_id, code, status, reason, evidence_event_ids, since, raised_at, rule_version,
           raised_cause, cleared_at, cleared_cause)
         VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8, $9, $10, $11, $12) ON CONFLICT (flag_id) DO NOTHING`,
        [
          f.flagId,
          customerId,
          f.code,
          f.cleared === undefined ? 'open' : 'cleared',
          f.reason,
          [...f.evidenceEventIds],
          f.since,
          f.raisedAt,
          f.ruleVersion,
          f.cause,
          f.cleared?.at ?? null,
          f.cleared?.cause ?? null,
        ],
      );
    for (const r of changes.refreshed)
      await this.manager.query(`UPDATE ${s}.churn_flags SET reason = $2, evidence_event_ids = $3::text[] WHERE flag_id = $1`, [
        r.flagId,
        r.reason,
        [...r.evidenceEventIds],
      ]);
    if (changes.riskScore !== null)
      await this.manager.query(`UPDATE ${s}.customer_360 SET churn_risk_score = $2 WHERE customer_id = $1`, [customerId, changes.riskScore]);
  }
}

/** The transactional outbox of derived events. */
export class DerivedOutboxTypeOrmRepository implements DerivedOutbox {
  constructor(
    private readonly manager: EntityManager,
    private readonly schema: string,
  ) {}

  async enqueue(messages: readonly OutboxMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.manager.query(
      `INSERT INTO ${this.schema}.derived_outbox (event_id, topic, key, payload, trace)
       SELECT m.event_id, m.topic, m.key, m.payload, m.trace
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[], $5::jsonb[]) WITH ORDINALITY AS m(event_id, topic, key, payload, trace, n)
       ORDER BY m.n ON CONFLICT (event_id) DO NOTHING`,
      [
        messages.map((m) => m.eventId),
        messages.map((m) => m.topic),
        messages.map((m) => m.key),
        messages.map((m) => JSON.stringify(m.event)),
        messages.map((m) => (m.trace === undefined ? null : JSON.stringify(m.trace))),
      ],
    );
  }
}

/** The derived views' repositories bound to one transaction's manager. */
export const derivedRepositories = (manager: EntityManager, schema: string): DerivedRepositories => ({
  segments: new SegmentMembershipTypeOrmRepository(manager, schema),
  churn: new ChurnFlagTypeOrmRepository(manager, schema),
  outbox: new DerivedOutboxTypeOrmRepository(manager, schema),
});
