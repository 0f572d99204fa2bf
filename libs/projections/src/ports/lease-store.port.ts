import type { PartitionLease } from './projection-store.port';

/** DI token for the LeaseStore port. */
export const LEASE_STORE = Symbol('LEASE_STORE');

export interface LeaseTiming {
  /** How long a lease (and a worker's liveness) lasts without renewal. */
  readonly ttlMs: number;
}

/**
 * Partition leases in the database. Expired leases are free for anyone; taking one bumps
 * its epoch (the fencing token the projection store checks on every write).
 */
export interface LeaseStore {
  /** Creates the lease rows 0..count-1 if missing; checks the partition count. */
  registerPartitions(projection: string, partitionCount: number): Promise<void>;
  /** Marks the worker alive for ttl and returns how many workers are alive (itself included). */
  heartbeat(projection: string, workerId: string, timing: LeaseTiming): Promise<number>;
  /** Extends the leases still held at their epoch; returns those (the others were lost). */
  renew(projection: string, workerId: string, leases: readonly PartitionLease[], timing: LeaseTiming): Promise<PartitionLease[]>;
  /** Takes up to `max` free or expired partitions (never waiting on a locked row). */
  acquire(projection: string, workerId: string, max: number, timing: LeaseTiming): Promise<PartitionLease[]>;
  /** Gives leases up at once (epoch unchanged: the next taker bumps it). */
  release(projection: string, workerId: string, partitions: readonly number[]): Promise<void>;
  /** Removes the worker from the live count (a clean stop). */
  leave(projection: string, workerId: string): Promise<void>;
}
