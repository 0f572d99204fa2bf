import fc from 'fast-check';
import { InMemoryEventStore } from '@c360/event-store';
import { expectEventually } from '@c360/testing';
import { StaticPartitionAssigner } from '../partitioning/partition-assigner';
import { allPartitions } from '../partitioning/partition-of';
import { ProjectionRunner } from '../runner/projection-runner';
import { expectedCustomer360 } from '../testing/expected-fold';
import { InMemoryProjectionStore } from '../testing/in-memory-projection-store';
import { appendHistory, historyFromOps, type HistoryOp } from '../testing/synthetic-history';
import { customer360Projection } from './customer-360.projection';

const CUSTOMERS = ['A', 'B', 'C', 'D'];
const PARTITIONS = 4;

const op: fc.Arbitrary<HistoryOp> = fc.record({
  customer: fc.nat(3),
  kind: fc.nat(40),
  other: fc.nat(3),
  amount: fc.nat(5_000_000),
  day: fc.nat(120),
});

/** One segment of the run: appended, then projected by a fresh runner (a restart) with its own batch size. */
const segment = fc.record({
  ops: fc.array(op, { minLength: 1, maxLength: 25 }),
  batchSize: fc.integer({ min: 1, max: 15 }),
  /** Transactions that fail after applying (a crash before commit): rolled back, retried. */
  failures: fc.nat(2),
  /** Rewind every checkpoint to this fraction of the head afterwards (a redelivery), or not. */
  rewind: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
});

async function project(eventStore: InMemoryEventStore, store: InMemoryProjectionStore, batchSize: number): Promise<void> {
  const runner = new ProjectionRunner({
    definition: customer360Projection(),
    eventStore,
    store,
    assigner: new StaticPartitionAssigner(allPartitions(PARTITIONS)),
    workerId: 'p',
    partitionCount: PARTITIONS,
    batch: { maxSize: batchSize, maxLatencyMs: 1 },
    backoff: { initialMs: 1, maxMs: 2 },
  });
  await runner.start();
  const head = (await eventStore.headPosition()).toString();
  await expectEventually(() => expect(runner.status().position).toBe(head), { timeoutMs: 5_000, intervalMs: 2 });
  await runner.stop();
}

describe('customer-360 projection, property', () => {
  it('random histories, random batch sizes, crashes, restarts and redeliveries end equal to a from-scratch rebuild and to the domain fold', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 4 }), async (segments) => {
        const eventStore = new InMemoryEventStore();
        const live = new InMemoryProjectionStore();
        let first = true;
        for (const s of segments) {
          const appends = historyFromOps(CUSTOMERS, s.ops);
          await appendHistory(eventStore, first ? appends : appends.slice(CUSTOMERS.length)); // register once
          first = false;
          live.failNext(s.failures);
          await project(eventStore, live, s.batchSize);
          if (s.rewind !== undefined) {
            const head = await eventStore.headPosition();
            live.resetCheckpoints('customer-360', BigInt(Math.floor(Number(head) * s.rewind)));
          }
        }
        await project(eventStore, live, 7); // the last restart, after any rewind
        const rebuild = new InMemoryProjectionStore();
        await project(eventStore, rebuild, 50);
        expect(new Map(live.customers())).toEqual(new Map(rebuild.customers()));
        expect(new Map(live.customers())).toEqual(await expectedCustomer360(eventStore));
      }),
      { numRuns: 40 },
    );
  });
});
