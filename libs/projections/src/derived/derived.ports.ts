import type { DerivedEvent } from '@c360/contracts';
import type {
  ChurnCode,
  ChurnConfig,
  ChurnConfigOverrides,
  CurrentMembership,
  OpenChurnFlag,
  SegmentDefinition,
} from '@c360/customer-domain';

/** One entered/left row of a customer's membership history. Unique on (customer, segment, cause, change). */
export interface MembershipHistoryRow {
  readonly customerId: string;
  readonly segmentId: string;
  readonly change: 'entered' | 'left';
  /** Evaluation time (business time of the customer's events, or the clock for sweeps/activations). */
  readonly at: string;
  readonly ruleVersion: number;
  readonly reason: string;
  /** The customer's own stream revision the evaluation saw. */
  readonly revision: number;
  /** What caused it: the event id applied, or `activate:<segment>@<version>`. Keeps history exactly once. */
  readonly cause: string;
}

/** segment_membership + its history, bound to a transaction. */
export interface SegmentMembershipRepository {
  /** The active segment definitions, read once per transaction. */
  activeDefinitions(): Promise<readonly SegmentDefinition[]>;
  /** Optional: reads these customers' memberships in one statement (a batch's customers). */
  prefetch?(customerIds: readonly string[]): Promise<void>;
  membershipOf(customerId: string): Promise<CurrentMembership[]>;
  /** Deletes the customer's memberships and history (before a recomputation from scratch after a merge). */
  clear(customerId: string): Promise<void>;
  /** Upserts `upsert`, deletes the memberships of `remove`, appends history (a repeated row is ignored). */
  record(
    customerId: string,
    changes: { readonly upsert: readonly CurrentMembership[]; readonly remove: readonly string[] },
    history: readonly MembershipHistoryRow[],
  ): Promise<void>;
}

/** An open churn flag as stored. */
export interface StoredChurnFlag extends OpenChurnFlag {
  readonly flagId: string;
  readonly ruleVersion: number;
}

export interface ChurnRules {
  readonly version: number;
  readonly overrides: ChurnConfigOverrides;
}

/** What one evaluation changes in churn_flags (and the risk score column of customer_360). */
export interface ChurnFlagChanges {
  /** New flags; one raised and cleared again within the same evaluation carries its clearing. */
  readonly raised: readonly (StoredChurnFlag & {
    readonly cause: string;
    readonly cleared?: { readonly at: string; readonly cause: string };
  })[];
  /** Flags open before the evaluation that it clears (applied before `raised`). */
  readonly cleared: readonly { readonly flagId: string; readonly clearedAt: string; readonly cause: string }[];
  /** Open flags kept, with a fresh reason / evidence. */
  readonly refreshed: readonly { readonly flagId: string; readonly reason: string; readonly evidenceEventIds: readonly string[] }[];
  /** New customer_360.churn_risk_score, or null to leave it. */
  readonly riskScore: number | null;
}

/** churn_flags, the churn rule versions and the per-customer clock watermark, bound to a transaction. */
export interface ChurnFlagRepository {
  /** The active churn rule version (overrides on top of the configured thresholds), read once per transaction. */
  activeRules(): Promise<ChurnRules>;
  /** Optional: reads these customers' open flags and sweep times in a few statements (a batch's customers). */
  prefetch?(customerIds: readonly string[]): Promise<void>;
  openFlagsOf(customerId: string): Promise<StoredChurnFlag[]>;
  /** When the sweeper last evaluated the customer against the clock (null: never). */
  sweptAt(customerId: string): Promise<string | null>;
  setSweptAt(customerId: string, at: string): Promise<void>;
  apply(customerId: string, changes: ChurnFlagChanges): Promise<void>;
  /** Deletes the customer's flags (before a recomputation from scratch after a merge). */
  clear(customerId: string): Promise<void>;
}

/**
 * The trace a derived event carries (W3C Trace Context, the shape of a stored event's
 * `metadata.trace`): the `traceparent` of its cause — the source event's recorded trace, or a
 * fresh one a clock sweep started — and the correlation id. Plain data here; the outbox relay
 * parses it strictly and sends a child span of it in the record's headers.
 */
export interface DerivedTrace {
  readonly traceparent: string;
  readonly correlationId?: string;
}

/** A derived event waiting in the transactional outbox. */
export interface OutboxMessage {
  readonly eventId: string;
  readonly topic: string;
  /** Partition key: the customer id (per-customer order downstream). */
  readonly key: string;
  readonly event: DerivedEvent;
  /** The trace of what caused it (absent: none recorded; the relay starts a new trace). */
  readonly trace?: DerivedTrace;
}

/** The transactional outbox: written in the same transaction as the change it announces. */
export interface DerivedOutbox {
  /** Adds messages; an event id already there is ignored (a redelivery republishes nothing new). */
  enqueue(messages: readonly OutboxMessage[]): Promise<void>;
}

/** Repositories the derived views need in the customer-360 transaction. */
export interface DerivedRepositories {
  readonly segments: SegmentMembershipRepository;
  readonly churn: ChurnFlagRepository;
  readonly outbox: DerivedOutbox;
}

export type { ChurnCode, ChurnConfig };
