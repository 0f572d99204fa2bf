import type { ChurnConfigOverrides, Customer360State, SegmentDefinition } from '@c360/customer-domain';
import type { DerivedRepositories, OutboxMessage } from './derived.ports';

export const DERIVED_STORE = Symbol('DERIVED_STORE');

export type RuleStatus = 'shadow' | 'active' | 'retired';

export interface SegmentDefinitionRecord {
  readonly definition: SegmentDefinition;
  readonly status: RuleStatus;
  readonly createdAt: string;
  readonly activatedAt: string | null;
}

export interface ChurnRuleRecord {
  readonly version: number;
  readonly overrides: ChurnConfigOverrides;
  readonly status: RuleStatus;
  readonly createdAt: string;
  readonly activatedAt: string | null;
}

/** A customer-360 row as the derived services read it (current state, no replay). */
export interface CustomerSnapshot {
  readonly customerId: string;
  readonly lastRevision: number;
  readonly state: Customer360State;
  readonly churnRiskScore: number;
}

/** The clock sweepers that keep per-customer deadlines. */
export type SweepKind = 'churn' | 'segments';

export interface CustomerPageQuery {
  /** Keyset: customer ids greater than this. */
  readonly after: string | null;
  readonly limit: number;
  /** Lock the rows (FOR UPDATE) so the live projection and this page serialise per customer. */
  readonly lock: boolean;
  /** Skip customers merged into another. */
  readonly survivorsOnly?: boolean;
  /**
   * Skip customers whose deadline for this sweep (see `sweepDeadlines`) is still ahead of
   * `now`, was computed under these `rules` and from the row as it is (clock sweepers).
   */
  readonly dueBy?: { readonly sweep: SweepKind; readonly now: string; readonly rules: string };
}

export type ShadowRunKind = 'segment' | 'churn';
export type ShadowChangeKind = 'enter' | 'leave' | 'raise' | 'clear';

export interface ShadowRunRecord {
  readonly runId: string;
  readonly kind: ShadowRunKind;
  /** Segment id, or `churn-rules`. */
  readonly target: string;
  readonly version: number;
  readonly status: 'running' | 'done' | 'failed';
  readonly customers: number;
  /** enter / raise count, and leave / clear count. */
  readonly entering: number;
  readonly leaving: number;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly error: string | null;
}

export interface ShadowChange {
  readonly customerId: string;
  /** Segment id or churn flag code. */
  readonly subject: string;
  readonly change: ShadowChangeKind;
  readonly reason: string;
}

/** A stored change; `seq` orders the report and is the paging cursor. */
export interface ShadowChangeRow extends ShadowChange {
  readonly seq: string;
}

export interface PendingOutboxMessage extends OutboxMessage {
  readonly seq: string;
}

/** Everything the derived services touch, bound to one transaction. */
export interface DerivedTransaction extends DerivedRepositories {
  readonly customers: {
    page(query: CustomerPageQuery): Promise<CustomerSnapshot[]>;
  };
  /** When each clock sweeper next needs each customer (nextChurnChange, nextMembershipChangeAt). */
  readonly sweepDeadlines: {
    /** Records each customer's deadline (null: none) for `sweep` under `rules`, for its row as this transaction sees it. */
    set(sweep: SweepKind, deadlines: readonly { readonly customerId: string; readonly dueAt: string | null }[], rules: string): Promise<void>;
  };
  readonly segmentDefinitions: {
    list(): Promise<SegmentDefinitionRecord[]>;
    get(id: string, version: number): Promise<SegmentDefinitionRecord | null>;
    latestVersion(id: string): Promise<number | null>;
    insert(definition: SegmentDefinition, status: 'shadow' | 'active'): Promise<void>;
    /** Sets the status; activating retires the id's currently active version. */
    setStatus(id: string, version: number, status: RuleStatus): Promise<void>;
  };
  readonly churnRules: {
    list(): Promise<ChurnRuleRecord[]>;
    get(version: number): Promise<ChurnRuleRecord | null>;
    latestVersion(): Promise<number>;
    insert(version: number, overrides: ChurnConfigOverrides, status: 'shadow' | 'active'): Promise<void>;
    setStatus(version: number, status: RuleStatus): Promise<void>;
  };
  readonly shadowRuns: {
    create(kind: ShadowRunKind, target: string, version: number): Promise<string>;
    addChanges(runId: string, changes: readonly ShadowChange[]): Promise<void>;
    finish(runId: string, result: { customers: number; entering: number; leaving: number; error?: string }): Promise<void>;
    get(runId: string): Promise<ShadowRunRecord | null>;
    changes(runId: string, query: { after: string | null; limit: number; change?: ShadowChangeKind }): Promise<ShadowChangeRow[]>;
  };
  readonly outboxRelay: {
    /** Oldest unsent messages, locked (SKIP LOCKED: two relays never take the same ones). */
    claim(limit: number): Promise<PendingOutboxMessage[]>;
    markSent(seqs: readonly string[]): Promise<void>;
  };
}

/**
 * The persistence port of the derived services (rule changes, activations, sweeps, shadow
 * runs, the outbox relay). libs/read-models implements it on the read-model schema.
 */
export interface DerivedStore {
  transaction<T>(work: (tx: DerivedTransaction) => Promise<T>): Promise<T>;
  /** Runs `work` only if no other process is running the same named job (advisory lock); null when busy. */
  exclusive<T>(job: string, work: () => Promise<T>): Promise<T | null>;
}
