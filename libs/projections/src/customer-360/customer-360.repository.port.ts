import type { Customer360State, ValueTier } from '@c360/customer-domain';

/** A customer-360 row as loaded (locked) inside the batch's transaction. */
export interface StoredCustomer360 {
  readonly customerId: string;
  /** Last revision of the customer's own stream applied (I5: a redelivery at or below it is a no-op). */
  readonly lastRevision: number;
  readonly state: Customer360State;
}

/** What is written: the folded state plus the columns queries filter and sort on. */
export interface Customer360Record extends StoredCustomer360 {
  readonly tier: ValueTier;
  readonly region: string | null;
  /** Reporting-currency minor units (assets + weighted lending). */
  readonly relationshipValueMinor: number;
  /** 0..100, from the churn rules evaluated at the customer's last event. */
  readonly churnRiskScore: number;
  readonly mergedInto: string | null;
  readonly mergedFrom: readonly string[];
  /** Business time of the newest event in the view (null before any dated event). */
  readonly lastEventAt: string | null;
}

/**
 * The customer-360 table set, bound to the batch's transaction. `load` locks the row
 * (concurrent writers — another partition's worker refolding a survivor — serialise on it).
 */
export interface Customer360Repository {
  /**
   * Optional: reads and locks the rows of these customers (and of the survivors they are merged
   * into) in one statement, in a stable order, so the batch's `load` / `survivorsOf` calls are
   * served without a round trip. An adapter without it serves each call directly.
   */
  prefetch?(customerIds: readonly string[]): Promise<void>;
  load(customerId: string): Promise<StoredCustomer360 | null>;
  /** Customers whose view currently folds in `customerId`'s stream (merge survivors). */
  survivorsOf(customerId: string): Promise<string[]>;
  /**
   * Upserts the row and keeps the identity lookup in step: the identities of a customer
   * that is not merged into another point at it.
   */
  save(record: Customer360Record, previous: StoredCustomer360 | null): Promise<void>;
}

/** The repositories the customer-360 projection needs in its transaction. */
export interface Customer360Repositories {
  readonly customer360: Customer360Repository;
}
