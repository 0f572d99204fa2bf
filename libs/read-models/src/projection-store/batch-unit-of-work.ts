import type { ChurnConfigOverrides, CurrentMembership, Customer360State, SegmentDefinition } from '@c360/customer-domain';
import type {
  ChurnFlagChanges,
  ChurnFlagRepository,
  ChurnRules,
  Customer360Record,
  Customer360Repositories,
  Customer360Repository,
  DerivedOutbox,
  DerivedRepositories,
  MembershipHistoryRow,
  OutboxMessage,
  SegmentMembershipRepository,
  StoredChurnFlag,
  StoredCustomer360,
} from '@c360/projections';
import type { EntityManager } from 'typeorm';
import { toStoredFlag, type ChurnFlagRow } from '../derived/churn-flag-rows';
import { decodeDocumentText, encodeDocumentText } from '../state-codec';

/**
 * The projection batch's unit of work on PostgreSQL. Reads are served from a per-batch cache
 * filled set-based by `prefetch` (one statement per table for all the batch's customers) or,
 * for a customer not prefetched, by one direct statement; every write updates the cache and is
 * buffered, then `flush` writes the whole batch with one set-based statement per table, before
 * the checkpoint and in the same transaction. The cache is write-through, so a read later in
 * the batch (the same customer touched twice: a survivor re-folded on behalf of a merged-in
 * customer) sees the batch's own earlier writes; a customer with a pending write is always in
 * the cache, so a direct read never misses a pending write.
 */
export class ProjectionUnitOfWork {
  readonly customer360: BatchedCustomer360Repository;
  readonly segments: BatchedSegmentMembershipRepository;
  readonly churn: BatchedChurnFlagRepository;
  readonly outbox: BatchedOutbox;

  constructor(manager: EntityManager, schema: string) {
    this.customer360 = new BatchedCustomer360Repository(manager, schema);
    this.segments = new BatchedSegmentMembershipRepository(manager, schema);
    this.churn = new BatchedChurnFlagRepository(manager, schema, this.customer360);
    this.outbox = new BatchedOutbox(manager, schema);
  }

  get repositories(): Customer360Repositories & DerivedRepositories {
    return { customer360: this.customer360, segments: this.segments, churn: this.churn, outbox: this.outbox };
  }

  /** Writes everything buffered (no-op when nothing is). Rows first, then what refers to them. */
  async flush(): Promise<void> {
    await this.customer360.flush();
    await this.segments.flush();
    await this.churn.flush();
    await this.outbox.flush();
  }
}

type Identity = { readonly scheme: string; readonly value: string; readonly linkedAt: string };

const lookupIdentities = (state: Customer360State | undefined): Identity[] =>
  state && state.mergedInto === null ? [...state.identities] : [];
const identityKey = (i: Identity): string => `${i.scheme}\u0000${i.value}\u0000${i.linkedAt}`;
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const isoOf = (v: Date | string): string => new Date(v).toISOString();
const decodeRow = (row: HeldRow): StoredCustomer360 => ({
  customerId: row.customerId,
  lastRevision: row.lastRevision,
  state: decodeDocumentText<Customer360State>(row.stateText),
});

/** A customer_360 row buffered for the batch's upsert: its columns, with the state already encoded. */
export type EncodedCustomer360Record = Omit<Customer360Record, 'state'> & {
  /** The state as stored (encodeDocumentText). */
  readonly stateText: string;
};

/** Encodes a record's state for the buffered upsert (and for re-reads within the batch). */
export const encodeCustomer360Record = ({ state, ...columns }: Customer360Record): EncodedCustomer360Record => ({
  ...columns,
  stateText: encodeDocumentText(state),
});

/**
 * The customer_360 rows of a batch as one JSON array (the parameter of jsonb_to_recordset: one
 * document parsed once, no per-element escaping of a text[] / jsonb[] parameter). Each state
 * is spliced in as the text it was encoded to when saved.
 */
export function customerRowsJson(records: readonly EncodedCustomer360Record[]): string {
  const rest = '{"state":null,'.length;
  return `[${records
    .map(
      (r) =>
        `{"state":${r.stateText},${JSON.stringify({
          state: null, // first: the state is spliced in at the start
          customer_id: r.customerId,
          last_revision: r.lastRevision,
          tier: r.tier,
          region: r.region,
          relationship_value_minor: r.relationshipValueMinor,
          churn_risk_score: r.churnRiskScore,
          merged_into: r.mergedInto,
          merged_from: r.mergedFrom,
          last_event_at: r.lastEventAt,
        }).slice(rest)}`,
    )
    .join(',')}]`;
}

interface CustomerRow {
  customer_id: string;
  last_revision: string;
  state: string;
  merged_from: string[];
}

/** A row as the batch holds it: its state as stored text (decoded on each load). */
interface HeldRow {
  readonly customerId: string;
  readonly lastRevision: number;
  readonly stateText: string;
}

/**
 * customer_360 + customer_identity, cached and buffered per batch. Rows are held as text and
 * decoded when loaded; a saved state is encoded at once. So a customer's decoded state lives
 * only while its events are applied, instead of until the batch is flushed: a batch holds
 * thousands of rows, and decoded states kept that long are promoted to the old generation:
 * the collector was a fifth of the live projection's profile, and holding text halves its
 * full collections.
 */
export class BatchedCustomer360Repository implements Customer360Repository {
  /** Loaded (and locked) rows; null: known to be absent. */
  private readonly rows = new Map<string, HeldRow | null>();
  /** merged_from of every cached row, and its inverse (merged-in customer → cached survivors). */
  private readonly mergedFrom = new Map<string, readonly string[]>();
  private readonly survivors = new Map<string, Set<string>>();
  /** Customers whose survivors are all in `mergedFrom` (prefetched with `merged_from && ids`). */
  private readonly survivorsKnown = new Set<string>();
  private readonly pending = new Map<string, { record: EncodedCustomer360Record; identities: Identity[]; identitiesBefore: Identity[] }>();
  /** Risk scores set by the churn view on customers with no pending row. */
  private readonly scores = new Map<string, number>();

  constructor(
    private readonly manager: EntityManager,
    private readonly schema: string,
  ) {}

  async prefetch(customerIds: readonly string[]): Promise<void> {
    const ids = [...new Set(customerIds)].filter((id) => !this.survivorsKnown.has(id));
    if (ids.length === 0) return;
    // The batch's rows and their survivors, locked in customer-id order (no deadlock between
    // workers whose batches overlap through merges).
    const rows = await this.manager.query<CustomerRow[]>(
      `SELECT customer_id, last_revision::text AS last_revision, state::text AS state, merged_from
         FROM ${this.schema}.customer_360
        WHERE customer_id = ANY($1::text[]) OR (merged_from <> '{}' AND merged_from && $1::text[])
        ORDER BY customer_id FOR UPDATE`,
      [ids],
    );
    for (const row of rows) if (!this.rows.has(row.customer_id)) this.remember(row);
    for (const id of ids) {
      if (!this.rows.has(id)) this.rows.set(id, null);
      this.survivorsKnown.add(id);
    }
  }

  async load(customerId: string): Promise<StoredCustomer360 | null> {
    const cached = this.rows.get(customerId);
    if (cached !== undefined) return cached === null ? null : decodeRow(cached);
    const rows = await this.manager.query<CustomerRow[]>(
      `SELECT customer_id, last_revision::text AS last_revision, state::text AS state, merged_from
         FROM ${this.schema}.customer_360 WHERE customer_id = $1 FOR UPDATE`,
      [customerId],
    );
    const row = rows[0];
    if (!row) {
      this.rows.set(customerId, null);
      return null;
    }
    return decodeRow(this.remember(row));
  }

  async survivorsOf(customerId: string): Promise<string[]> {
    const found = new Set<string>();
    if (!this.survivorsKnown.has(customerId)) {
      const rows = await this.manager.query<Array<{ customer_id: string }>>(
        `SELECT customer_id FROM ${this.schema}.customer_360 WHERE merged_from <> '{}' AND merged_from @> ARRAY[$1]::text[]`,
        [customerId],
      );
      // Rows the batch holds answer for themselves (their merged_from may have changed).
      for (const r of rows) if (!this.mergedFrom.has(r.customer_id)) found.add(r.customer_id);
    }
    for (const id of this.survivors.get(customerId) ?? []) found.add(id);
    return [...found].sort(byString);
  }

  async save(record: Customer360Record, previous: StoredCustomer360 | null): Promise<void> {
    const identitiesBefore = this.pending.get(record.customerId)?.identitiesBefore ?? lookupIdentities(previous?.state);
    const encoded = encodeCustomer360Record(record);
    this.pending.set(record.customerId, { record: encoded, identities: lookupIdentities(record.state), identitiesBefore });
    this.scores.delete(record.customerId);
    this.rows.set(record.customerId, { customerId: record.customerId, lastRevision: record.lastRevision, stateText: encoded.stateText });
    this.setMergedFrom(record.customerId, record.mergedFrom);
  }

  /** The churn view's score for the row (folded into the pending upsert when there is one). */
  setRiskScore(customerId: string, score: number): void {
    const pending = this.pending.get(customerId);
    if (pending) pending.record = { ...pending.record, churnRiskScore: score };
    else this.scores.set(customerId, score);
  }

  /** How many rows are buffered (tests, metrics). */
  get pendingRows(): number {
    return this.pending.size;
  }

  async flush(): Promise<void> {
    const s = this.schema;
    if (this.pending.size > 0) {
      const entries = [...this.pending.values()].sort((a, b) => byString(a.record.customerId, b.record.customerId));
      const json = customerRowsJson(entries.map((e) => e.record));
      await this.manager.query(
        `INSERT INTO ${s}.customer_360 AS c (customer_id, last_revision, state, tier, region,
           relationship_value_minor, churn_risk_score, merged_into, merged_from, last_event_at, updated_at)
         SELECT r.customer_id, r.last_revision, r.state, r.tier, r.region, r.relationship_value_minor, r.churn_risk_score,
                r.merged_into, coalesce(r.merged_from, '{}'), r.last_event_at, now()
           FROM jsonb_to_recordset($1::jsonb) AS r(customer_id text, last_revision bigint, state jsonb, tier text, region text,
                relationship_value_minor bigint, churn_risk_score smallint, merged_into text, merged_from text[], last_event_at timestamptz)
         ON CONFLICT (customer_id) DO UPDATE SET last_revision = EXCLUDED.last_revision, state = EXCLUDED.state,
           tier = EXCLUDED.tier, region = EXCLUDED.region, relationship_value_minor = EXCLUDED.relationship_value_minor,
           churn_risk_score = EXCLUDED.churn_risk_score, merged_into = EXCLUDED.merged_into,
           merged_from = EXCLUDED.merged_from, last_event_at = EXCLUDED.last_event_at, updated_at = now()`,
        [json],
      );
      // The identity lookup follows each row: the difference between what the row exposed
      // before the batch and what it exposes now. Deletions first (they are per customer).
      const removed: Array<Identity & { customerId: string }> = [];
      const added: Array<Identity & { customerId: string }> = [];
      for (const { record, identities: after, identitiesBefore } of entries) {
        if (after.length === 0 && identitiesBefore.length === 0) continue;
        const afterKeys = new Set(after.map(identityKey));
        const beforeKeys = new Set(identitiesBefore.map(identityKey));
        for (const i of identitiesBefore) if (!afterKeys.has(identityKey(i))) removed.push({ ...i, customerId: record.customerId });
        for (const i of after) if (!beforeKeys.has(identityKey(i))) added.push({ ...i, customerId: record.customerId });
      }
      if (removed.length > 0)
        await this.manager.query(
          `DELETE FROM ${s}.customer_identity i USING unnest($1::text[], $2::text[], $3::text[]) AS r(customer_id, scheme, value)
            WHERE i.customer_id = r.customer_id AND i.scheme = r.scheme AND i.value = r.value`,
          [removed.map((i) => i.customerId), removed.map((i) => i.scheme), removed.map((i) => i.value)],
        );
      if (added.length > 0)
        await this.manager.query(
          `INSERT INTO ${s}.customer_identity (scheme, value, customer_id, linked_at)
           SELECT a.scheme, a.value, a.customer_id, a.linked_at
             FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS a(scheme, value, customer_id, linked_at)
           ON CONFLICT DO NOTHING`,
          [added.map((i) => i.scheme), added.map((i) => i.value), added.map((i) => i.customerId), added.map((i) => i.linkedAt)],
        );
      this.pending.clear();
    }
    if (this.scores.size > 0) {
      const scores = [...this.scores].sort(([a], [b]) => byString(a, b));
      await this.manager.query(
        `UPDATE ${s}.customer_360 c SET churn_risk_score = u.score FROM unnest($1::text[], $2::smallint[]) AS u(customer_id, score)
          WHERE c.customer_id = u.customer_id`,
        [scores.map(([id]) => id), scores.map(([, score]) => score)],
      );
      this.scores.clear();
    }
  }

  private remember(row: CustomerRow): HeldRow {
    const held: HeldRow = { customerId: row.customer_id, lastRevision: Number(row.last_revision), stateText: row.state };
    this.rows.set(row.customer_id, held);
    this.setMergedFrom(row.customer_id, row.merged_from);
    return held;
  }

  private setMergedFrom(customerId: string, mergedFrom: readonly string[]): void {
    for (const id of this.mergedFrom.get(customerId) ?? []) this.survivors.get(id)?.delete(customerId);
    this.mergedFrom.set(customerId, mergedFrom);
    for (const id of mergedFrom) {
      let set = this.survivors.get(id);
      if (!set) this.survivors.set(id, (set = new Set()));
      set.add(customerId);
    }
  }
}

const membershipKey = (customerId: string, segmentId: string): string => `${customerId}\u0000${segmentId}`;

/** segment_membership + its history, cached and buffered per batch. */
export class BatchedSegmentMembershipRepository implements SegmentMembershipRepository {
  private definitions: Promise<readonly SegmentDefinition[]> | undefined;
  private readonly members = new Map<string, CurrentMembership[]>();
  private readonly cleared = new Set<string>();
  private readonly upserts = new Map<string, { customerId: string; membership: CurrentMembership }>();
  private readonly removes = new Map<string, { customerId: string; segmentId: string }>();
  private history: MembershipHistoryRow[] = [];

  constructor(
    private readonly manager: EntityManager,
    private readonly schema: string,
  ) {}

  activeDefinitions(): Promise<readonly SegmentDefinition[]> {
    this.definitions ??= this.manager
      .query<Array<{ definition: SegmentDefinition }>>(`SELECT definition FROM ${this.schema}.segment_definitions WHERE status = 'active' ORDER BY id`)
      .then((rows) => rows.map((r) => r.definition));
    return this.definitions;
  }

  async prefetch(customerIds: readonly string[]): Promise<void> {
    const ids = [...new Set(customerIds)].filter((id) => !this.members.has(id));
    if (ids.length === 0) return;
    const rows = await this.manager.query<Array<{ customer_id: string; segment_id: string; rule_version: number; since: Date; reason: string }>>(
      `SELECT customer_id, segment_id, rule_version, since, reason FROM ${this.schema}.segment_membership
        WHERE customer_id = ANY($1::text[]) ORDER BY customer_id, segment_id`,
      [ids],
    );
    for (const id of ids) this.members.set(id, []);
    for (const r of rows)
      this.members.get(r.customer_id)?.push({ segmentId: r.segment_id, version: r.rule_version, since: isoOf(r.since), reason: r.reason });
  }

  async membershipOf(customerId: string): Promise<CurrentMembership[]> {
    const cached = this.members.get(customerId);
    if (cached) return [...cached];
    const rows = await this.manager.query<Array<{ segment_id: string; rule_version: number; since: Date; reason: string }>>(
      `SELECT segment_id, rule_version, since, reason FROM ${this.schema}.segment_membership WHERE customer_id = $1 ORDER BY segment_id`,
      [customerId],
    );
    const members = rows.map((r) => ({ segmentId: r.segment_id, version: r.rule_version, since: isoOf(r.since), reason: r.reason }));
    this.members.set(customerId, members);
    return [...members];
  }

  async clear(customerId: string): Promise<void> {
    this.cleared.add(customerId);
    for (const [k, u] of this.upserts) if (u.customerId === customerId) this.upserts.delete(k);
    for (const [k, r] of this.removes) if (r.customerId === customerId) this.removes.delete(k);
    this.history = this.history.filter((h) => h.customerId !== customerId);
    this.members.set(customerId, []);
  }

  async record(
    customerId: string,
    changes: { readonly upsert: readonly CurrentMembership[]; readonly remove: readonly string[] },
    history: readonly MembershipHistoryRow[],
  ): Promise<void> {
    const current = new Map((await this.membershipOf(customerId)).map((m) => [m.segmentId, m]));
    for (const segmentId of changes.remove) {
      const k = membershipKey(customerId, segmentId);
      this.upserts.delete(k);
      this.removes.set(k, { customerId, segmentId });
      current.delete(segmentId);
    }
    for (const membership of changes.upsert) {
      const k = membershipKey(customerId, membership.segmentId);
      this.removes.delete(k);
      this.upserts.set(k, { customerId, membership });
      current.set(membership.segmentId, membership);
    }
    this.members.set(customerId, [...current.values()].sort((a, b) => byString(a.segmentId, b.segmentId)));
    for (const h of history) this.history.push({ ...h, customerId });
  }

  async flush(): Promise<void> {
    const s = this.schema;
    if (this.cleared.size > 0) {
      const ids = [...this.cleared].sort(byString);
      await this.manager.query(`DELETE FROM ${s}.segment_membership WHERE customer_id = ANY($1::text[])`, [ids]);
      await this.manager.query(`DELETE FROM ${s}.segment_membership_history WHERE customer_id = ANY($1::text[])`, [ids]);
      this.cleared.clear();
    }
    if (this.removes.size > 0) {
      const removes = [...this.removes.values()];
      await this.manager.query(
        `DELETE FROM ${s}.segment_membership m USING unnest($1::text[], $2::text[]) AS r(customer_id, segment_id)
          WHERE m.customer_id = r.customer_id AND m.segment_id = r.segment_id`,
        [removes.map((r) => r.customerId), removes.map((r) => r.segmentId)],
      );
      this.removes.clear();
    }
    if (this.upserts.size > 0) {
      const upserts = [...this.upserts.values()].sort(
        (a, b) => byString(a.membership.segmentId, b.membership.segmentId) || byString(a.customerId, b.customerId),
      );
      await this.manager.query(
        `INSERT INTO ${s}.segment_membership (segment_id, customer_id, since, rule_version, reason)
         SELECT u.segment_id, u.customer_id, u.since, u.rule_version, u.reason
           FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::text[]) AS u(segment_id, customer_id, since, rule_version, reason)
         ON CONFLICT (segment_id, customer_id) DO UPDATE SET since = EXCLUDED.since, rule_version = EXCLUDED.rule_version, reason = EXCLUDED.reason`,
        [
          upserts.map((u) => u.membership.segmentId),
          upserts.map((u) => u.customerId),
          upserts.map((u) => u.membership.since),
          upserts.map((u) => u.membership.version),
          upserts.map((u) => u.membership.reason),
        ],
      );
      this.upserts.clear();
    }
    if (this.history.length > 0) {
      const h = this.history;
      await this.manager.query(
        `INSERT INTO ${s}.segment_membership_history (customer_id, segment_id, change, at, rule_version, reason, revision, cause)
         SELECT h.customer_id, h.segment_id, h.change, h.at, h.rule_version, h.reason, h.revision, h.cause
           FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::int[], $6::text[], $7::bigint[], $8::text[])
             WITH ORDINALITY AS h(customer_id, segment_id, change, at, rule_version, reason, revision, cause, n)
          ORDER BY h.n
         ON CONFLICT DO NOTHING`,
        [
          h.map((r) => r.customerId),
          h.map((r) => r.segmentId),
          h.map((r) => r.change),
          h.map((r) => r.at),
          h.map((r) => r.ruleVersion),
          h.map((r) => r.reason),
          h.map((r) => r.revision),
          h.map((r) => r.cause),
        ],
      );
      this.history = [];
    }
  }
}

type FlagRow = ChurnFlagRow & { customer_id: string };

type PendingFlag = ChurnFlagChanges['raised'][number] & { readonly customerId: string };

interface FlagUpdate {
  readonly customerId: string;
  cleared?: { readonly at: string; readonly cause: string };
  refreshed?: { readonly reason: string; readonly evidenceEventIds: readonly string[] };
}

/** churn_flags, the churn rule version, customer_clock and the risk score column, cached and buffered per batch. */
export class BatchedChurnFlagRepository implements ChurnFlagRepository {
  private rules: Promise<ChurnRules> | undefined;
  private readonly open = new Map<string, StoredChurnFlag[]>();
  private readonly swept = new Map<string, string | null>();
  private readonly cleared = new Set<string>();
  /** Flags raised in this batch (with their clearing if it came in the batch too). */
  private readonly inserts = new Map<string, PendingFlag>();
  /** Changes to flags that existed before the batch. */
  private readonly updates = new Map<string, FlagUpdate>();

  constructor(
    private readonly manager: EntityManager,
    private readonly schema: string,
    private readonly customers: BatchedCustomer360Repository,
  ) {}

  activeRules(): Promise<ChurnRules> {
    this.rules ??= this.manager
      .query<Array<{ version: number; overrides: ChurnConfigOverrides }>>(
        `SELECT version, overrides FROM ${this.schema}.churn_rule_versions WHERE status = 'active'`,
      )
      .then((rows) => (rows[0] ? { version: rows[0].version, overrides: rows[0].overrides } : { version: 1, overrides: {} }));
    return this.rules;
  }

  async prefetch(customerIds: readonly string[]): Promise<void> {
    const ids = [...new Set(customerIds)];
    const flagIds = ids.filter((id) => !this.open.has(id));
    if (flagIds.length > 0) {
      const rows = await this.manager.query<FlagRow[]>(
        `SELECT customer_id, flag_id, code, reason, evidence_event_ids, since, raised_at, rule_version FROM ${this.schema}.churn_flags
          WHERE customer_id = ANY($1::text[]) AND status = 'open' ORDER BY customer_id, code`,
        [flagIds],
      );
      for (const id of flagIds) this.open.set(id, []);
      for (const r of rows) this.open.get(r.customer_id)?.push(toStoredFlag(r));
    }
    const clockIds = ids.filter((id) => !this.swept.has(id));
    if (clockIds.length > 0) {
      const rows = await this.manager.query<Array<{ customer_id: string; swept_at: Date }>>(
        `SELECT customer_id, swept_at FROM ${this.schema}.customer_clock WHERE customer_id = ANY($1::text[])`,
        [clockIds],
      );
      for (const id of clockIds) this.swept.set(id, null);
      for (const r of rows) this.swept.set(r.customer_id, isoOf(r.swept_at));
    }
  }

  async openFlagsOf(customerId: string): Promise<StoredChurnFlag[]> {
    const cached = this.open.get(customerId);
    if (cached) return [...cached];
    const rows = await this.manager.query<FlagRow[]>(
      `SELECT customer_id, flag_id, code, reason, evidence_event_ids, since, raised_at, rule_version FROM ${this.schema}.churn_flags
        WHERE customer_id = $1 AND status = 'open' ORDER BY code`,
      [customerId],
    );
    const flags = rows.map(toStoredFlag);
    this.open.set(customerId, flags);
    return [...flags];
  }

  async sweptAt(customerId: string): Promise<string | null> {
    const cached = this.swept.get(customerId);
    if (cached !== undefined) return cached;
    const rows = await this.manager.query<Array<{ swept_at: Date }>>(`SELECT swept_at FROM ${this.schema}.customer_clock WHERE customer_id = $1`, [
      customerId,
    ]);
    const at = rows[0] ? isoOf(rows[0].swept_at) : null;
    this.swept.set(customerId, at);
    return at;
  }

  /** Not buffered (the sweeper's, not the projection's): written through, and the cache follows. */
  async setSweptAt(customerId: string, at: string): Promise<void> {
    const rows = await this.manager.query<Array<{ swept_at: Date }>>(
      `INSERT INTO ${this.schema}.customer_clock (customer_id, swept_at) VALUES ($1, $2)
       ON CONFLICT (customer_id) DO UPDATE SET swept_at = GREATEST(${this.schema}.customer_clock.swept_at, EXCLUDED.swept_at)
       RETURNING swept_at`,
      [customerId, at],
    );
    this.swept.set(customerId, rows[0] ? isoOf(rows[0].swept_at) : at);
  }

  async clear(customerId: string): Promise<void> {
    this.cleared.add(customerId);
    for (const [k, f] of this.inserts) if (f.customerId === customerId) this.inserts.delete(k);
    for (const [k, u] of this.updates) if (u.customerId === customerId) this.updates.delete(k);
    this.open.set(customerId, []);
  }

  async apply(customerId: string, changes: ChurnFlagChanges): Promise<void> {
    const open = new Map((await this.openFlagsOf(customerId)).map((f) => [f.flagId, f]));
    for (const c of changes.cleared) {
      const cleared = { at: c.clearedAt, cause: c.cause };
      const inserted = this.inserts.get(c.flagId);
      if (inserted) {
        if (inserted.cleared === undefined) this.inserts.set(c.flagId, { ...inserted, cleared });
      } else {
        const update = this.updates.get(c.flagId) ?? { customerId };
        update.cleared ??= cleared; // the row is cleared once (`WHERE status = 'open'`)
        this.updates.set(c.flagId, update);
      }
      open.delete(c.flagId);
    }
    for (const f of changes.raised) {
      if (this.inserts.has(f.flagId)) continue; // ON CONFLICT (flag_id) DO NOTHING
      this.inserts.set(f.flagId, { ...f, customerId });
      if (f.cleared === undefined) {
        const { cause: _cause, cleared: _cleared, ...stored } = f;
        open.set(f.flagId, stored);
      }
    }
    for (const r of changes.refreshed) {
      const refreshed = { reason: r.reason, evidenceEventIds: [...r.evidenceEventIds] };
      const inserted = this.inserts.get(r.flagId);
      if (inserted) this.inserts.set(r.flagId, { ...inserted, ...refreshed });
      else {
        const update = this.updates.get(r.flagId) ?? { customerId };
        update.refreshed = refreshed;
        this.updates.set(r.flagId, update);
      }
      const current = open.get(r.flagId);
      if (current) open.set(r.flagId, { ...current, ...refreshed });
    }
    this.open.set(customerId, [...open.values()].sort((a, b) => byString(a.code, b.code)));
    if (changes.riskScore !== null) this.customers.setRiskScore(customerId, changes.riskScore);
  }

  async flush(): Promise<void> {
    const s = this.schema;
    if (this.cleared.size > 0) {
      await this.manager.query(`DELETE FROM ${s}.churn_flags WHERE customer_id = ANY($1::text[])`, [[...this.cleared].sort(byString)]);
      this.cleared.clear();
    }
    // Updates (clearings of flags open before the batch) before inserts: a flag raised in the
    // batch may take the code of one it cleared (one open flag per code).
    if (this.updates.size > 0) {
      const json = JSON.stringify(
        [...this.updates].map(([flagId, u]) => ({
          flag_id: flagId,
          cleared_at: u.cleared?.at ?? null,
          cleared_cause: u.cleared?.cause ?? null,
          reason: u.refreshed?.reason ?? null,
          evidence_event_ids: u.refreshed?.evidenceEventIds ?? null,
        })),
      );
      await this.manager.query(
        `UPDATE ${s}.churn_flags f SET
           status = CASE WHEN u.cleared_at IS NOT NULL AND f.status = 'open' THEN 'cleared' ELSE f.status END,
           cleared_at = CASE WHEN u.cleared_at IS NOT NULL AND f.status = 'open' THEN u.cleared_at ELSE f.cleared_at END,
           cleared_cause = CASE WHEN u.cleared_at IS NOT NULL AND f.status = 'open' THEN u.cleared_cause ELSE f.cleared_cause END,
           reason = coalesce(u.reason, f.reason),
           evidence_event_ids = coalesce(u.evidence_event_ids, f.evidence_event_ids)
          FROM jsonb_to_recordset($1::jsonb) AS u(flag_id uuid, cleared_at timestamptz, cleared_cause text, reason text, evidence_event_ids text[])
         WHERE f.flag_id = u.flag_id`,
        [json],
      );
      this.updates.clear();
    }
    if (this.inserts.size > 0) {
      const json = JSON.stringify(
        [...this.inserts.values()].map((f) => ({
          flag_id: f.flagId,
          customer_id: f.customerId,
          code: f.code,
          status: f.cleared === undefined ? 'open' : 'cleared',
          reason: f.reason,
          evidence_event_ids: f.evidenceEventIds,
          since: f.since,
          raised_at: f.raisedAt,
          rule_version: f.ruleVersion,
          raised_cause: f.cause,
          cleared_at: f.cleared?.at ?? null,
          cleared_cause: f.cleared?.cause ?? null,
        })),
      );
      await this.manager.query(
        `INSERT INTO ${s}.churn_flags (flag_id, customer_id, code, status, reason, evidence_event_ids, since, raised_at, rule_version,
           raised_cause, cleared_at, cleared_cause)
         SELECT f.flag_id, f.customer_id, f.code, f.status, f.reason, f.evidence_event_ids, f.since, f.raised_at, f.rule_version,
                f.raised_cause, f.cleared_at, f.cleared_cause
           FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (flag_id uuid, customer_id text, code text, status text, reason text,
                evidence_event_ids text[], since timestamptz, raised_at timestamptz, rule_version int, raised_cause text,
                cleared_at timestamptz, cleared_cause text)) WITH ORDINALITY
                AS f(flag_id, customer_id, code, status, reason, evidence_event_ids, since, raised_at, rule_version, raised_cause,
                     cleared_at, cleared_cause, n)
          ORDER BY f.n
         ON CONFLICT (flag_id) DO NOTHING`,
        [json],
      );
      this.inserts.clear();
    }
  }
}

/** The transactional outbox, buffered per batch: one insert, in the order the messages were queued. */
export class BatchedOutbox implements DerivedOutbox {
  private messages: OutboxMessage[] = [];

  constructor(
    private readonly manager: EntityManager,
    private readonly schema: string,
  ) {}

  async enqueue(messages: readonly OutboxMessage[]): Promise<void> {
    for (const m of messages) this.messages.push(m);
  }

  async flush(): Promise<void> {
    if (this.messages.length === 0) return;
    const json = JSON.stringify(
      this.messages.map((m) => ({ event_id: m.eventId, topic: m.topic, key: m.key, payload: m.event, trace: m.trace ?? null })),
    );
    await this.manager.query(
      `INSERT INTO ${this.schema}.derived_outbox (event_id, topic, key, payload, trace)
       SELECT m.event_id, m.topic, m.key, m.payload, m.trace
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (event_id uuid, topic text, key text, payload jsonb, trace jsonb)) WITH ORDINALITY
              AS m(event_id, topic, key, payload, trace, n)
        ORDER BY m.n ON CONFLICT (event_id) DO NOTHING`,
      [json],
    );
    this.messages = [];
  }
}
