import type { LeaseStore } from '../ports/lease-store.port';
import type { PartitionLease } from '../ports/projection-store.port';
import type { PartitionAssigner } from './partition-assigner';

export interface LeaseAssignerOptions {
  readonly projection: string;
  readonly workerId: string;
  readonly partitionCount: number;
  /** Lease lifetime; a dead or stopped worker's partitions move after this. Default 10 s. */
  readonly ttlMs?: number;
  /** Renewal period; default ttl / 3 so that two missed renewals still keep the lease. */
  readonly renewEveryMs?: number;
  /** Called when a tick fails (the database is down, ...); the next tick retries. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Partitions through leases in the database. Each tick: heartbeat (live worker count),
 * renew what is held, then move towards a fair share ⌈partitions / live workers⌉ —
 * release the excess when a worker joined, take free or expired leases when one left or died.
 */
export class LeasePartitionAssigner implements PartitionAssigner {
  readonly fenced = true;
  private held = new Map<number, PartitionLease>();
  private currentVersion = 0;
  private readonly listeners: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private readonly ttlMs: number;
  private readonly renewEveryMs: number;

  constructor(
    private readonly leases: LeaseStore,
    private readonly options: LeaseAssignerOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.renewEveryMs = options.renewEveryMs ?? Math.max(50, Math.floor(this.ttlMs / 3));
  }

  get version(): number {
    return this.currentVersion;
  }

  owned(): ReadonlyMap<number, PartitionLease> {
    return this.held;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.leases.registerPartitions(this.options.projection, this.options.partitionCount);
    await this.refresh();
    this.schedule();
  }

  /** One tick now (serialised with the periodic ones). Errors go to onError; the lease set stays. */
  async refresh(): Promise<void> {
    if (this.ticking) return this.ticking;
    this.ticking = this.tick()
      .catch((e: unknown) => this.options.onError?.(e))
      .finally(() => {
        this.ticking = undefined;
      });
    return this.ticking;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
    const { projection, workerId } = this.options;
    const partitions = [...this.held.keys()];
    this.update(new Map());
    try {
      await this.leases.release(projection, workerId, partitions);
      await this.leases.leave(projection, workerId);
    } catch (e) {
      this.options.onError?.(e); // they expire by themselves
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.refresh().finally(() => this.schedule());
    }, this.renewEveryMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const { projection, workerId, partitionCount } = this.options;
    const timing = { ttlMs: this.ttlMs };
    const live = await this.leases.heartbeat(projection, workerId, timing);
    const renewed = await this.leases.renew(projection, workerId, [...this.held.values()], timing);
    const next = new Map(renewed.map((l) => [l.partition, l]));
    const target = Math.ceil(partitionCount / Math.max(1, live));
    if (next.size > target) {
      // Give back the highest partitions: the newcomer takes them on its next tick.
      const excess = [...next.keys()].sort((a, b) => b - a).slice(0, next.size - target);
      await this.leases.release(projection, workerId, excess);
      for (const p of excess) next.delete(p);
    } else if (next.size < target) {
      for (const lease of await this.leases.acquire(projection, workerId, target - next.size, timing))
        next.set(lease.partition, lease);
    }
    if (!this.stopped) this.update(next);
  }

  private update(next: Map<number, PartitionLease>): void {
    const same =
      next.size === this.held.size &&
      [...next].every(([p, l]) => this.held.get(p)?.epoch === l.epoch);
    this.held = next;
    if (same) return;
    this.currentVersion++;
    for (const listener of this.listeners) listener();
  }
}
