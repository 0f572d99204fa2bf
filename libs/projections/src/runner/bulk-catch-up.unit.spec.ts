import fc from 'fast-check';
import { InMemoryEventStore } from '@c360/event-store';
import { expectEventually } from '@c360/testing';
import { customer360Projection } from '../customer-360/customer-360.projection';
import type { Customer360Repositories } from '../customer-360/customer-360.repository.port';
import { LeasePartitionAssigner } from '../partitioning/lease-partition-assigner';
import { StaticPartitionAssigner, type PartitionAssigner } from '../partitioning/partition-assigner';
import { allPartitions } from '../partitioning/partition-of';
import { expectedCustomer360 } from '../testing/expected-fold';
import { InMemoryLeaseStore, InMemoryProjectionStore } from '../testing/in-memory-projection-store';
import { appendHistory, historyFromOps, seededOps } from '../testing/synthetic-history';
import { ProjectionRunner, type RunnerHooks } from './projection-runner';

const PARTITIONS = 8;
const CUSTOMERS = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7', 'C8', 'C9'];
const NAME = 'customer-360';

function runner(
  eventStore: InMemoryEventStore,
  store: InMemoryProjectionStore,
  options: { minEvents: number; chunkEvents: number; hooks?: RunnerHooks; assigner?: PartitionAssigner; workerId?: string },
): ProjectionRunner<Customer360Repositories> {
  return new ProjectionRunner({
    definition: customer360Projection(),
    eventStore,
    store,
    assigner: options.assigner ?? new StaticPartitionAssigner(allPartitions(PARTITIONS)),
    workerId: options.workerId ?? 'w1',
    partitionCount: PARTITIONS,
    batch: { maxSize: 7, maxLatencyMs: 5 },
    backoff: { initialMs: 1, maxMs: 5 },
    lagIntervalMs: 20,
    bulk: { minEvents: options.minEvents, chunkEvents: options.chunkEvents },
    hooks: options.hooks,
  });
}

async function seeded(seed: number, count: number): Promise<InMemoryEventStore> {
  const eventStore = new InMemoryEventStore();
  await appendHistory(eventStore, historyFromOps(CUSTOMERS, seededOps(seed, count, CUSTOMERS.length)));
  return eventStore;
}

async function expectEqualsFold(eventStore: InMemoryEventStore, store: InMemoryProjectionStore): Promise<void> {
  const expected = await expectedCustomer360(eventStore);
  await expectEventually(() => expect(new Map(store.customers())).toEqual(expected), { timeoutMs: 5_000 });
}

describe('bulk catch-up (stream by stream from nothing, then the subscription)', () => {
  it('folds the history in few transactions, equals the fold (merges included), then goes live from the head', async () => {
    const eventStore = await seeded(11, 400);
    const head = await eventStore.headPosition();
    const store = new InMemoryProjectionStore();
    const r = runner(eventStore, store, { minEvents: 100, chunkEvents: 150 });
    await r.start();
    await r.waitForState(['live']);
    await expectEqualsFold(eventStore, store);
    // 400 events in chunks of ~150 (a stream is never cut short of a chunk): a handful of
    // transactions, where the global-order replay in batches of 7 would take ~60.
    expect(store.committedTransactions).toBeLessThanOrEqual(5);
    for (const p of allPartitions(PARTITIONS)) expect(store.checkpoint(NAME, p)).toBe(head);
    expect(await store.loadBulkProgress(NAME)).toBeNull();
    expect(r.status().appliedEvents).toBe(Number(head)); // every event once (merges write two)

    // Live after the bulk pass: new events, including for customers the pass wrote.
    await appendHistory(eventStore, historyFromOps(CUSTOMERS, seededOps(12, 60, CUSTOMERS.length)));
    await expectEqualsFold(eventStore, store);
    await r.stop();
  });

  it('does not run below minEvents or once checkpoints moved on; a second worker arriving mid-pass still ends equal to the fold', async () => {
    const small = await seeded(3, 50);
    const a = new InMemoryProjectionStore();
    const below = runner(small, a, { minEvents: 1_000, chunkEvents: 1_000 });
    await below.start();
    await below.waitForState(['live']);
    await expectEqualsFold(small, a);
    expect(a.committedTransactions).toBeGreaterThan(3); // batches of 7, not one bulk chunk
    await below.stop();

    // Two workers: the first may begin a pass alone; the second takes partitions from it, which
    // interrupts the pass (no worker owns them all any more): both go on in global order.
    const eventStore = await seeded(5, 200);
    const leases = new InMemoryLeaseStore();
    const b = new InMemoryProjectionStore(leases);
    const workers = ['w1', 'w2'].map((workerId) =>
      runner(eventStore, b, {
        minEvents: 1,
        chunkEvents: 1_000,
        workerId,
        assigner: new LeasePartitionAssigner(leases, { projection: NAME, workerId, partitionCount: PARTITIONS, ttlMs: 60_000 }),
      }),
    );
    await workers[0]?.start();
    await workers[1]?.start();
    await expectEqualsFold(eventStore, b);
    expect(await b.loadBulkProgress(NAME)).toBeNull();
    for (const w of workers) await w.stop();

    // A projection already past 0 is caught up by its subscription, whatever its lag.
    const c = new InMemoryProjectionStore();
    const first = runner(eventStore, c, { minEvents: 0, chunkEvents: 1_000 });
    await first.start();
    await first.waitForState(['live']);
    await first.stop();
    await appendHistory(eventStore, historyFromOps(CUSTOMERS, seededOps(6, 120, CUSTOMERS.length)));
    const before = c.committedTransactions;
    const second = runner(eventStore, c, { minEvents: 1, chunkEvents: 1_000 });
    await second.start();
    await expectEqualsFold(eventStore, c);
    expect(c.committedTransactions - before).toBeGreaterThan(3);
    await second.stop();
  });

  it('resumes a pass that died mid-way from its saved progress, and ends equal to the fold (random chunking and crash points)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 3, max: 80 }), fc.integer({ min: 1, max: 6 }), async (seed, chunkEvents, crashAfter) => {
        const eventStore = await seeded(seed, 240);
        const store = new InMemoryProjectionStore();
        let transactions = 0;
        // The first process freezes for good before its crashAfter-th transaction (as if killed).
        const frozen = new Promise<void>(() => undefined);
        const dying = runner(eventStore, store, {
          minEvents: 1,
          chunkEvents,
          hooks: { beforeTransaction: () => (++transactions >= crashAfter ? frozen : Promise.resolve()) },
        });
        void dying.start();
        await expectEventually(() => expect(transactions).toBeGreaterThanOrEqual(Math.min(crashAfter, 1)), { timeoutMs: 5_000 });
        await new Promise((r) => setTimeout(r, 5));
        const saved = await store.loadBulkProgress(NAME);
        const appliedBeforeCrash = dying.status().appliedEvents;

        const next = runner(eventStore, store, { minEvents: 1, chunkEvents });
        await next.start();
        await next.waitForState(['live']);
        await expectEqualsFold(eventStore, store);
        // It took the pass over where it stood: the events the first process committed are not
        // handed to apply again (streams cut mid-way aside, which a resume re-reads from their start).
        const total = Number(await eventStore.headPosition());
        if (saved?.afterStream) expect(next.status().appliedEvents).toBeLessThan(total);
        expect(appliedBeforeCrash + next.status().appliedEvents).toBeGreaterThanOrEqual(total);
        expect(await store.loadBulkProgress(NAME)).toBeNull();
        await next.stop();
      }),
      { numRuns: 15 },
    );
  });
});
