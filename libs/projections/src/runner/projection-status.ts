export type ProjectionState = 'starting' | 'catching-up' | 'live' | 'paused' | 'stopped' | 'failed';

export interface ProjectionLag {
  /** Events of the handled types between the checkpoint and the head (at most `cap`). */
  readonly events: number;
  /** True when there were more than the counted events. */
  readonly capped: boolean;
  /** Age of the oldest unapplied event (now − its recordedAt); 0 when caught up. */
  readonly seconds: number;
  readonly measuredAt: string | null;
}

export interface ProjectionFailure {
  readonly message: string;
  readonly code: string | null;
  readonly kind: 'transient' | 'fenced' | 'fatal';
  readonly at: string;
}

/** What operators see (`GET /v1/ops/projections`). Positions are decimal strings (bigint). */
export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  readonly workerId: string;
  readonly state: ProjectionState;
  readonly partitions: readonly number[];
  /** Lowest checkpoint among the owned partitions (everything up to it is applied). */
  readonly position: string | null;
  readonly head: string | null;
  readonly lag: ProjectionLag;
  /** Events applied per second over the last ~10 s. */
  readonly ratePerSecond: number;
  readonly appliedEvents: number;
  readonly committedBatches: number;
  /** Writes refused because a lease had moved (a zombie caught). */
  readonly fencedWrites: number;
  readonly retries: number;
  readonly lastError: ProjectionFailure | null;
  readonly startedAt: string | null;
}
