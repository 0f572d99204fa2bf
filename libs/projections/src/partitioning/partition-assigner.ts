import type { PartitionLease } from '../ports/projection-store.port';

/**
 * Which partitions this worker processes. `version` changes whenever the set changes, so
 * the runner restarts its pipeline from the new set's checkpoints.
 */
export interface PartitionAssigner {
  readonly fenced: boolean;
  start(): Promise<void>;
  owned(): ReadonlyMap<number, PartitionLease>;
  readonly version: number;
  /** Called on every change of the owned set. */
  onChange(listener: () => void): void;
  /** Re-checks ownership now (e.g. after a refused write). */
  refresh(): Promise<void>;
  /** Gives everything up (a clean stop lets others take over without waiting for expiry). */
  stop(): Promise<void>;
}

/** Every partition, no leases: the single-process default where nothing else writes. */
export class StaticPartitionAssigner implements PartitionAssigner {
  readonly fenced = false;
  readonly version = 1;
  private readonly leases: ReadonlyMap<number, PartitionLease>;

  constructor(partitions: readonly number[]) {
    this.leases = new Map(partitions.map((p) => [p, { partition: p, epoch: 0 }]));
  }

  async start(): Promise<void> {}
  owned(): ReadonlyMap<number, PartitionLease> {
    return this.leases;
  }
  onChange(): void {}
  async refresh(): Promise<void> {}
  async stop(): Promise<void> {}
}
