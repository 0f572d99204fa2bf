import type { CustomerRefold, ReadModelDiff } from '@c360/read-models';

export type RebuildJobState = 'pending' | 'building' | 'swapping' | 'swapped' | 'done' | 'cancelling' | 'cancelled' | 'failed';

export const TERMINAL_STATES: ReadonlySet<RebuildJobState> = new Set(['done', 'cancelled', 'failed']);

/** A rebuild job as operators see it (`GET /v1/ops/jobs/{id}`, the CLI's progress). */
export interface RebuildJob {
  readonly id: string;
  readonly projection: string;
  readonly kind: 'full' | 'customers';
  readonly customers: readonly string[];
  readonly dryRun: boolean;
  readonly state: RebuildJobState;
  readonly shadowSchema: string;
  readonly retiredSchema: string;
  /** Events folded so far, of `total` (total grows while live traffic continues). */
  readonly progress: number;
  readonly total: number;
  readonly ratePerSecond: number;
  readonly etaSeconds: number | null;
  /** Runs of the job (a crash and a resume make 2). */
  readonly attempts: number;
  /** Events already folded when the last attempt resumed (null: it started from zero). */
  readonly resumedFrom: number | null;
  /** Events the last attempt folded itself. */
  readonly appliedLastAttempt: number;
  /** How the shadow differed from the live copy before the swap. */
  readonly diff: ReadModelDiff | null;
  readonly result: { readonly customers?: readonly CustomerRefold[]; readonly swapped?: boolean; readonly dryRun?: boolean } | null;
  readonly error: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}
