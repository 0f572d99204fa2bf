import type { GlobalPosition } from '@c360/event-store';

/** DI token for the ProjectionStore port (read models + checkpoints, one transaction). */
export const PROJECTION_STORE = Symbol('PROJECTION_STORE');

/**
 * The lease a worker holds on a partition. `epoch` is the fencing token: every takeover
 * increments it, and a write carrying an older epoch is refused.
 */
export interface PartitionLease {
  readonly partition: number;
  readonly epoch: number;
}

/** Who writes: the worker and the leases it believes it holds (empty: unfenced, single writer). */
export interface WriterIdentity {
  readonly workerId: string;
  readonly leases: readonly PartitionLease[];
  /** False when partitions are assigned statically (no lease table): nothing to check. */
  readonly fenced: boolean;
}

/** How the runner treats a failure: retry with backoff, re-sync leases, or give up. */
export type FailureKind = 'transient' | 'fenced' | 'fatal';

/**
 * An unfinished bulk pass (ProjectionRunner's bulk catch-up): every event at or before `upTo`
 * is being applied stream by stream; the streams up to `afterStream` (inclusive) are done.
 */
export interface BulkProgress {
  readonly upTo: GlobalPosition;
  readonly afterStream: string | null;
}

/** One batch's transaction: the read-model repositories and the checkpoint, committed together. */
export interface ProjectionTransaction<R> {
  readonly repositories: R;
  /**
   * Checks (and holds, until commit) that every lease is still the writer's at its epoch;
   * throws FencedError otherwise. Called first, so a zombie does no work.
   */
  assertLeases(projection: string, writer: WriterIdentity): Promise<void>;
  /**
   * Optional: writes what the repositories buffered (an adapter with a per-batch unit of work).
   * The runner calls it before `saveCheckpoints`; the adapter also flushes before commit.
   */
  flush?(): Promise<void>;
  /** Moves the partitions' checkpoints to `position` (never backwards). */
  saveCheckpoints(projection: string, partitions: readonly number[], position: GlobalPosition): Promise<void>;
  /** Optional (bulk catch-up): records how far the bulk pass got, or clears it (null) when it ends. */
  saveBulkProgress?(projection: string, progress: BulkProgress | null): Promise<void>;
}

/**
 * The runner's persistence port. An adapter (libs/read-models) binds it to a database and
 * a target table set (schema), which is the seam for rebuilds into shadow tables.
 */
export interface ProjectionStore<R> {
  /** Creates the projection's checkpoint rows if missing; checks the partition count. */
  registerProjection(projection: string, partitionCount: number): Promise<void>;
  /** Checkpoint per partition (0n: from the start). */
  loadCheckpoints(projection: string, partitions: readonly number[]): Promise<Map<number, GlobalPosition>>;
  /** Runs `work` in one transaction; commits if it resolves, rolls back if it throws. */
  transaction<T>(work: (tx: ProjectionTransaction<R>) => Promise<T>): Promise<T>;
  /** Optional (bulk catch-up): the projection's unfinished bulk pass, if any. With saveBulkProgress. */
  loadBulkProgress?(projection: string): Promise<BulkProgress | null>;
  classifyFailure(error: unknown): FailureKind;
}
