import type { GlobalPosition } from '@c360/event-store';
import type {
  Customer360Record,
  Customer360Repositories,
  Customer360Repository,
  StoredCustomer360,
} from '../customer-360/customer-360.repository.port';
import { FencedError } from '../errors';
import type { LeaseStore, LeaseTiming } from '../ports/lease-store.port';
import type {
  BulkProgress,
  FailureKind,
  PartitionLease,
  ProjectionStore,
  ProjectionTransaction,
  WriterIdentity,
} from '../ports/projection-store.port';

/** A failure the in-memory store can be told to throw (a stand-in for a dropped connection). */
export class TransientTestError extends Error {
  readonly code = 'TEST_TRANSIENT';
}

interface Tables {
  customers: Map<string, Customer360Record>;
  checkpoints: Map<string, GlobalPosition>;
  bulk: Map<string, BulkProgress>;
}

interface LeaseRow {
  owner: string | null;
  epoch: number;
  expiresAt: number;
}

/**
 * In-memory leases (unit tests): the same rules as the PostgreSQL adapter, with a clock
 * the test controls.
 */
export class InMemoryLeaseStore implements LeaseStore {
  readonly leases = new Map<string, LeaseRow>();
  private readonly workers = new Map<string, number>();

  constructor(public now: () => number = Date.now) {}

  async registerPartitions(projection: string, count: number): Promise<void> {
    for (let p = 0; p < count; p++) {
      const key = `${projection}/${p}`;
      if (!this.leases.has(key)) this.leases.set(key, { owner: null, epoch: 0, expiresAt: 0 });
    }
  }

  async heartbeat(projection: string, workerId: string, timing: LeaseTiming): Promise<number> {
    this.workers.set(`${projection}/${workerId}`, this.now() + timing.ttlMs);
    return [...this.workers].filter(([k, exp]) => k.startsWith(`${projection}/`) && exp > this.now()).length;
  }

  async renew(projection: string, workerId: string, leases: readonly PartitionLease[], timing: LeaseTiming): Promise<PartitionLease[]> {
    return leases.filter((l) => {
      const row = this.leases.get(`${projection}/${l.partition}`);
      if (!row || row.owner !== workerId || row.epoch !== l.epoch) return false;
      row.expiresAt = this.now() + timing.ttlMs;
      return true;
    });
  }

  async acquire(projection: string, workerId: string, max: number, timing: LeaseTiming): Promise<PartitionLease[]> {
    const taken: PartitionLease[] = [];
    for (const [key, row] of this.leases) {
      if (taken.length >= max) break;
      if (!key.startsWith(`${projection}/`)) continue;
      if (row.owner !== null && row.expiresAt > this.now()) continue;
      row.owner = workerId;
      row.epoch++;
      row.expiresAt = this.now() + timing.ttlMs;
      taken.push({ partition: Number(key.slice(projection.length + 1)), epoch: row.epoch });
    }
    return taken;
  }

  async release(projection: string, workerId: string, partitions: readonly number[]): Promise<void> {
    for (const p of partitions) {
      const row = this.leases.get(`${projection}/${p}`);
      if (row?.owner === workerId) {
        row.owner = null;
        row.expiresAt = 0;
      }
    }
  }

  async leave(projection: string, workerId: string): Promise<void> {
    this.workers.delete(`${projection}/${workerId}`);
  }

  holds(projection: string, writer: WriterIdentity): number[] {
    return writer.leases
      .filter((l) => {
        const row = this.leases.get(`${projection}/${l.partition}`);
        return !row || row.owner !== writer.workerId || row.epoch !== l.epoch;
      })
      .map((l) => l.partition);
  }
}

/**
 * The projection store in memory, for unit tests of the runner and of projections:
 * copy-on-write transactions (a throw rolls everything back, checkpoint included),
 * serialised like row locks would, fencing against an InMemoryLeaseStore.
 */
export class InMemoryProjectionStore implements ProjectionStore<Customer360Repositories> {
  private tables: Tables = { customers: new Map(), checkpoints: new Map(), bulk: new Map() };
  private queue: Promise<unknown> = Promise.resolve();
  private failures: Array<() => Error> = [];
  committedTransactions = 0;

  constructor(private readonly leases?: InMemoryLeaseStore) {}

  /** The next `count` transactions fail before committing (after applying). */
  failNext(count: number, error: () => Error = () => new TransientTestError('injected failure')): void {
    for (let i = 0; i < count; i++) this.failures.push(error);
  }

  customers(): ReadonlyMap<string, Customer360Record> {
    return this.tables.customers;
  }

  checkpoint(projection: string, partition: number): GlobalPosition | undefined {
    return this.tables.checkpoints.get(`${projection}/${partition}`);
  }

  /** Rewinds every checkpoint of a projection (a redelivery test). */
  resetCheckpoints(projection: string, to: GlobalPosition = 0n): void {
    for (const key of this.tables.checkpoints.keys())
      if (key.startsWith(`${projection}/`)) this.tables.checkpoints.set(key, to);
  }

  async registerProjection(projection: string, partitionCount: number): Promise<void> {
    for (let p = 0; p < partitionCount; p++) {
      const key = `${projection}/${p}`;
      if (!this.tables.checkpoints.has(key)) this.tables.checkpoints.set(key, 0n);
    }
  }

  async loadCheckpoints(projection: string, partitions: readonly number[]): Promise<Map<number, GlobalPosition>> {
    return new Map(partitions.map((p) => [p, this.tables.checkpoints.get(`${projection}/${p}`) ?? 0n]));
  }

  async loadBulkProgress(projection: string): Promise<BulkProgress | null> {
    return this.tables.bulk.get(projection) ?? null;
  }

  transaction<T>(work: (tx: ProjectionTransaction<Customer360Repositories>) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const draft: Tables = { customers: new Map(this.tables.customers), checkpoints: new Map(this.tables.checkpoints), bulk: new Map(this.tables.bulk) };
      const repo: Customer360Repository = {
        load: async (id) => {
          const row = draft.customers.get(id);
          return row ? ({ customerId: row.customerId, lastRevision: row.lastRevision, state: row.state } satisfies StoredCustomer360) : null;
        },
        survivorsOf: async (id) =>
          [...draft.customers.values()].filter((r) => r.mergedFrom.includes(id)).map((r) => r.customerId).sort(),
        save: async (record) => {
          draft.customers.set(record.customerId, record);
        },
      };
      const tx: ProjectionTransaction<Customer360Repositories> = {
        repositories: { customer360: repo },
        assertLeases: async (projection, writer) => {
          if (!writer.fenced || !this.leases) return;
          const lost = this.leases.holds(projection, writer);
          if (lost.length > 0) throw new FencedError(projection, lost);
        },
        saveCheckpoints: async (projection, partitions, position) => {
          for (const p of partitions) {
            const key = `${projection}/${p}`;
            const current = draft.checkpoints.get(key) ?? 0n;
            if (position > current) draft.checkpoints.set(key, position);
          }
        },
        saveBulkProgress: async (projection, progress) => {
          if (progress === null) draft.bulk.delete(projection);
          else draft.bulk.set(projection, progress);
        },
      };
      const result = await work(tx);
      const failure = this.failures.shift();
      if (failure) throw failure();
      this.tables = draft;
      this.committedTransactions++;
      return result;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  classifyFailure(error: unknown): FailureKind {
    return error instanceof TransientTestError ? 'transient' : 'fatal';
  }
}
