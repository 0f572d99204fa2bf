import type { GlobalPosition, RecordedEvent } from '@c360/event-store';
import { ProjectionError, ProjectionErrorCode } from '../errors';

/** One customer's share of a batch, in global (hence stream) order. */
export interface CustomerEvents {
  readonly customerId: string;
  readonly events: readonly RecordedEvent[];
}

/** Read access to whole streams, for projections that must re-fold (e.g. merges). */
export interface StreamReader {
  readStream(streamId: string): AsyncIterable<RecordedEvent>;
}

/**
 * What `apply` gets: the repositories bound to the batch's transaction (the runner commits
 * them with the checkpoint, or rolls both back) and a stream reader.
 */
export interface ApplyContext<R> {
  readonly repositories: R;
  readonly streams: StreamReader;
  /** Position of the batch's last event (for bookkeeping columns, never for idempotency). */
  readonly batchEnd: GlobalPosition;
}

/**
 * A projection, declaratively: the runner owns subscriptions, batching, checkpoints,
 * leases and retries. `apply` must be idempotent per customer: the runner may hand it
 * events it already applied (after a crash between apply and commit nothing was applied,
 * but after a checkpoint reset or a rebalance it may see them again). Rows keep the last
 * stream revision applied and skip anything at or below it.
 */
export interface ProjectionDefinition<R> {
  /** Stable name: checkpoints and leases are keyed by it. */
  readonly name: string;
  /** Bump when the projection's output changes: a new version is rebuilt, not patched. */
  readonly version: number;
  /** The event types it handles (the subscription filter). */
  readonly eventTypes: readonly string[];
  /** Which customer an event belongs to; null to ignore the event. Also the partition key. */
  identity(event: RecordedEvent): string | null;
  /** Applies one customer's events of a batch inside the batch's transaction. */
  apply(batch: CustomerEvents, context: ApplyContext<R>): Promise<void>;
  /**
   * Optional: called once per batch, in its transaction, before the first `apply`, with every
   * customer of the batch (in apply order). A projection reads (and locks) what the batch will
   * need here in a few set-based statements, so that `apply` costs no round trip per customer.
   * It must not change what `apply` computes: only how fast the reads are served.
   */
  prepare?(customers: readonly CustomerEvents[], context: ApplyContext<R>): Promise<void>;
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** Validates and freezes a definition (so a typo fails at boot, not at the first event). */
export function defineProjection<R>(definition: ProjectionDefinition<R>): ProjectionDefinition<R> {
  if (!NAME.test(definition.name))
    throw new ProjectionError(ProjectionErrorCode.InvalidDefinition, `invalid projection name: ${definition.name}`);
  if (!Number.isInteger(definition.version) || definition.version < 1)
    throw new ProjectionError(ProjectionErrorCode.InvalidDefinition, `${definition.name}: version must be an integer ≥ 1`);
  if (definition.eventTypes.length === 0)
    throw new ProjectionError(ProjectionErrorCode.InvalidDefinition, `${definition.name}: handles no event types`);
  return Object.freeze({ ...definition, eventTypes: Object.freeze([...new Set(definition.eventTypes)]) });
}
