import type { Customer360State } from '@c360/customer-domain';
import type { DerivedTrace } from './derived.ports';

/** One state the customer's view passed through in a batch, and the event that led to it. */
export interface CustomerStep {
  readonly state: Customer360State;
  /** Id of the event applied (for a re-fold, the batch's last event of the customer). */
  readonly cause: string;
  /** The trace that event was stored with (its `metadata.trace`), handed on to the derived events it causes. */
  readonly trace?: DerivedTrace;
}

/** What changed for one customer in a batch, handed to the derived views after the 360 row is saved. */
export interface CustomerChange {
  readonly customerId: string;
  /** In order; the last one is the saved row's state. */
  readonly steps: readonly CustomerStep[];
  /**
   * True after a merge / unmerge re-fold: `steps` is then the whole merged view from its first
   * event, and the view recomputes the customer's rows from scratch and replaces them.
   */
  readonly replace: boolean;
  /** The churn risk score the customer-360 row was saved with. */
  readonly savedRiskScore: number;
}

/**
 * A read model derived from the customer-360 view (segment membership, churn flags),
 * declaratively: it runs in the customer-360 batch transaction, right after the customer's
 * row is saved, and only when the row changed (a redelivery changes nothing, so nothing here
 * runs twice — I5). It sees every intermediate state, so its history does not depend on how
 * events were cut into batches (live equals rebuild — I6).
 */
export interface DerivedView<D> {
  readonly name: string;
  readonly version: number;
  onChange(change: CustomerChange, repositories: D): Promise<void>;
  /** Optional: reads what `onChange` will need for these customers, set-based (once per batch). */
  prepare?(customerIds: readonly string[], repositories: D): Promise<void>;
}
