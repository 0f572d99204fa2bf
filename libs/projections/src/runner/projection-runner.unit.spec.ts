import { randomUUID } from 'node:crypto';
import { InMemoryEventStore, type RecordedEvent } from '@c360/event-store';
import { expectEventually } from '@c360/testing';
import { customer360Projection } from '../customer-360/customer-360.projection';
import type { Customer360Repositories } from '../customer-360/customer-360.repository.port';
import { LeasePartitionAssigner } from '../partitioning/lease-partition-assigner';
import { StaticPartitionAssigner, type PartitionAssigner } from '../partitioning/partition-assigner';
import { allPartitions, partitionOf } from '../partitioning/partition-of';
import { expectedCustomer360 } from '../testing/expected-fold';
import { InMemoryLeaseStore, InMemoryProjectionStore } from '../testing/in-memory-projection-store';
import { appendHistory, historyFromOps, seededOps } from '../testing/synthetic-history';
import { BatchReader, type BatchLimits } from './batch-reader';
import { groupByCustomer } from './grouping';
import { ProjectionRunner, type RunnerEvent } from './projection-runner';
import { Signal } from './signal';

const PARTITIONS = 8;
const CUSTOMERS = ['C1', 'C2', 'C3', 'C4', 'C5', 'C6'];

const recorded = (streamId: string, revision: number, position: bigint, eventId = `${streamId}-${revision}`): RecordedEvent => ({
  eventId,
  type: 'BranchVisited',
  version: 1,
  data: {},
  streamId,
  revision,
  globalPosition: position,
  recordedAt: new Date(0),
  occurredAt: new Date(0),
  correlationId: null,
  causationId: null,
  metadata: {},
});

const customerOf = (e: RecordedEvent): string | null => (e.streamId.startsWith('customer-') ? e.streamId.slice(9) : null);

function makeRunner(
  eventStore: InMemoryEventStore,
  store: InMemoryProjectionStore,
  assigner: PartitionAssigner = new StaticPartitionAssigner(allPartitions(PARTITIONS)),
  extra: { events?: RunnerEvent[]; maxSize?: number; workerId?: string; batch?: Partial<BatchLimits> } = {},
): ProjectionRunner<Customer360Repositories> {
  return new ProjectionRunner({
    definition: customer360Projection(),
    eventStore,
    store,
    assigner,
    workerId: extra.workerId ?? 'w1',
    partitionCount: PARTITIONS,
    batch: extra.batch ?? { maxSize: extra.maxSize ?? 7, maxLatencyMs: 5 },
    backoff: { initialMs: 1, maxMs: 5 },
    lagIntervalMs: 20,
    hooks: { onEvent: (e) => extra.events?.push(e) },
  });
}

async function seeded(count = 300): Promise<InMemoryEventStore> {
  const eventStore = new InMemoryEventStore();
  await appendHistory(eventStore, historyFromOps(CUSTOMERS, seededOps(7, count, CUSTOMERS.length)));
  return eventStore;
}

async function expectEqualsFold(eventStore: InMemoryEventStore, store: InMemoryProjectionStore): Promise<void> {
  const expected = await expectedCustomer360(eventStore);
  await expectEventually(() => expect(new Map(store.customers())).toEqual(expected), { timeoutMs: 5_000 });
}

describe('groupByCustomer', () => {
  const checkpoints = new Map(allPartitions(PARTITIONS).map((p) => [p, 0n]));

  it('groups by customer in first-seen order, keeping each customer’s order', () => {
    const events = [recorded('customer-A', 0, 1n), recorded('customer-B', 0, 2n), recorded('customer-A', 1, 3n)];
    const grouped = groupByCustomer(events, customerOf, { partitionCount: PARTITIONS, checkpoints });
    expect(grouped.customers.map((c) => [c.customerId, c.events.map((e) => e.revision)])).toEqual([
      ['A', [0, 1]],
      ['B', [0]],
    ]);
    expect(grouped.eventCount).toBe(3);
  });

  it('drops events of partitions not owned, at or below their checkpoint, duplicates and unowned streams', () => {
    const pA = partitionOf('A', PARTITIONS);
    const owned = new Map([[pA, 2n]]);
    const events = [
      recorded('customer-A', 0, 1n),
      recorded('customer-A', 1, 2n),
      recorded('customer-A', 2, 3n),
      recorded('customer-A', 2, 3n),
      recorded('other-X', 0, 4n),
      ...(partitionOf('B', PARTITIONS) === pA ? [] : [recorded('customer-B', 0, 5n)]),
    ];
    const grouped = groupByCustomer(events, customerOf, { partitionCount: PARTITIONS, checkpoints: owned });
    expect(grouped.customers).toEqual([{ customerId: 'A', events: [events[2]] }]);
  });
});

describe('BatchReader', () => {
  async function* source(n: number, gapAfter: number): AsyncGenerator<RecordedEvent> {
    for (let i = 0; i < n; i++) {
      if (i === gapAfter) await new Promise((r) => setTimeout(r, 200));
      yield recorded('customer-A', i, BigInt(i + 1));
    }
  }

  it('cuts by size while events flow, by latency when they stop, and loses nothing between', async () => {
    const reader = new BatchReader(source(12, 8)[Symbol.asyncIterator]());
    const signal = new Signal();
    const first = await reader.next({ maxSize: 5, maxLatencyMs: 20 }, signal);
    expect(first.events.map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
    expect(first.drained).toBe(false);
    const second = await reader.next({ maxSize: 5, maxLatencyMs: 20 }, signal);
    expect(second.events.map((e) => e.revision)).toEqual([5, 6, 7]);
    expect(second.drained).toBe(true);
    const third = await reader.next({ maxSize: 5, maxLatencyMs: 20 }, signal);
    expect(third.events.map((e) => e.revision)).toEqual([8, 9, 10, 11]);
    expect(third.ended).toBe(true);
  });

  it('returns an empty batch when interrupted while waiting', async () => {
    const reader = new BatchReader(source(1, 0)[Symbol.asyncIterator]());
    const signal = new Signal();
    const pending = reader.next({ maxSize: 5, maxLatencyMs: 20 }, signal);
    signal.fire();
    await expect(pending).resolves.toEqual({ events: [], drained: true, ended: false });
    const after = await reader.next({ maxSize: 5, maxLatencyMs: 20 }, signal);
    expect(after.events).toHaveLength(1); // the pending pull was kept, not lost
  });
});

describe('ProjectionRunner (in memory)', () => {
  it('projects a history with merges equal to the domain fold, then follows live appends', async () => {
    const eventStore = await seeded();
    const store = new InMemoryProjectionStore();
    const events: RunnerEvent[] = [];
    const runner = makeRunner(eventStore, store, undefined, { events });
    await runner.start();
    await expectEqualsFold(eventStore, store);
    await runner.waitForState(['live']);
    await appendHistory(eventStore, historyFromOps(CUSTOMERS, seededOps(8, 50, CUSTOMERS.length)));
    await expectEqualsFold(eventStore, store);
    await expectEventually(async () => expect((await runner.measureLag()).events).toBe(0));
    const status = runner.status();
    expect(status.appliedEvents).toBeGreaterThan(0);
    expect(status.position).toBe((await eventStore.headPosition()).toString());
    await runner.stop();
    expect(runner.status().state).toBe('stopped');
    expect(events.filter((e) => e.kind === 'state').map((e) => e.kind === 'state' && e.state)).toEqual(
      expect.arrayContaining(['starting', 'catching-up', 'live', 'stopped']),
    );
  });

  it('is exactly-once under redelivery: rewinding the checkpoints leaves every row untouched', async () => {
    const eventStore = await seeded();
    const store = new InMemoryProjectionStore();
    const runner = makeRunner(eventStore, store);
    await runner.start();
    await expectEqualsFold(eventStore, store);
    await runner.stop();
    const before = new Map(store.customers());
    store.resetCheckpoints('customer-360');
    const replay = makeRunner(eventStore, store);
    await replay.start();
    const head = (await eventStore.headPosition()).toString();
    await expectEventually(() => expect(replay.status().position).toBe(head));
    await replay.stop();
    // Same objects: no row was even rewritten.
    for (const [id, row] of store.customers()) expect(row).toBe(before.get(id));
  });

  it('retries transient failures with backoff and converges (nothing half-applied)', async () => {
    const eventStore = await seeded();
    const store = new InMemoryProjectionStore();
    store.failNext(5);
    const runner = makeRunner(eventStore, store);
    await runner.start();
    await expectEqualsFold(eventStore, store);
    expect(runner.status().retries).toBe(5);
    expect(runner.status().lastError?.kind).toBe('transient');
    await runner.stop();
  });

  it('stops in failed with the last error after repeated non-transient failures', async () => {
    const eventStore = await seeded(20);
    const store = new InMemoryProjectionStore();
    store.failNext(10, () => new Error('bug in apply'));
    const runner = makeRunner(eventStore, store);
    await runner.start();
    await runner.waitForState(['failed']);
    expect(runner.status().lastError).toMatchObject({ message: 'bug in apply', kind: 'fatal' });
    await runner.stop();
    expect(runner.status().state).toBe('failed');
  });

  it('pauses after the batch in flight and resumes where it stood', async () => {
    const eventStore = await seeded(50);
    const store = new InMemoryProjectionStore();
    const runner = makeRunner(eventStore, store);
    await runner.start();
    await runner.pause();
    expect(runner.status().state).toBe('paused');
    const committed = store.committedTransactions;
    await appendHistory(eventStore, historyFromOps(CUSTOMERS, seededOps(9, 30, CUSTOMERS.length)));
    await expectEventually(async () => expect((await runner.measureLag()).events).toBeGreaterThan(0));
    expect(store.committedTransactions).toBe(committed);
    runner.resume();
    await expectEqualsFold(eventStore, store);
    await runner.stop();
  });

  it('refuses a zombie’s write once its lease moved, and the new owner converges', async () => {
    let now = 1_000_000;
    const leases = new InMemoryLeaseStore(() => now);
    const eventStore = await seeded(100);
    const store = new InMemoryProjectionStore(leases);
    const events: RunnerEvent[] = [];
    const zombieAssigner = new LeasePartitionAssigner(leases, { projection: 'customer-360', workerId: 'zombie', partitionCount: PARTITIONS, ttlMs: 1_000, renewEveryMs: 60_000 });
    const zombie = makeRunner(eventStore, store, zombieAssigner, { events, workerId: 'zombie' });
    await zombie.start();
    await expectEqualsFold(eventStore, store);
    // The zombie "sleeps" past its lease; another worker takes every partition over.
    now += 5_000;
    const heir = new LeasePartitionAssigner(leases, { projection: 'customer-360', workerId: 'heir', partitionCount: PARTITIONS, ttlMs: 60_000, renewEveryMs: 60_000 });
    await heir.start();
    expect(heir.owned().size).toBe(PARTITIONS);
    const rowsBefore = new Map(store.customers());
    await appendHistory(eventStore, historyFromOps(CUSTOMERS, seededOps(10, 20, CUSTOMERS.length)));
    await expectEventually(() => expect(events.some((e) => e.kind === 'fenced')).toBe(true));
    expect(new Map(store.customers())).toEqual(rowsBefore); // nothing of the zombie's got in
    expect(zombie.status().fencedWrites).toBeGreaterThan(0);
    await zombie.stop(); // a clean leave, so the heir's fair share is every partition again
    const successor = makeRunner(eventStore, store, heir, { workerId: 'heir' });
    await successor.start();
    await expectEqualsFold(eventStore, store);
    await successor.stop();
  });

  it('stops its subscription when the store fails right after subscribing, then retries and converges', async () => {
    const eventStore = await seeded(80);
    const opened: Array<{ stopped: boolean }> = [];
    let failHead = 1;
    const flaky = Object.create(eventStore) as InMemoryEventStore;
    flaky.subscribeToAll = (options) => {
      const sub = eventStore.subscribeToAll(options);
      const entry = { stopped: false };
      opened.push(entry);
      const stop = sub.stop.bind(sub);
      sub.stop = () => {
        entry.stopped = true;
        return stop();
      };
      return sub;
    };
    flaky.headPosition = () => (opened.length > 0 && failHead-- > 0 ? Promise.reject(new Error('connection terminated')) : eventStore.headPosition());
    const store = new InMemoryProjectionStore();
    const runner = makeRunner(flaky, store);
    await runner.start();
    await expectEqualsFold(eventStore, store);
    await runner.stop();
    expect(runner.status().retries).toBeGreaterThan(0);
    expect(opened.length).toBeGreaterThan(1);
    expect(opened.filter((o) => !o.stopped)).toEqual([]);
  });

  it('persists a checkpoint advanced past events of other partitions once idle, even when no event follows', async () => {
    // A worker owning one partition reads (and skips) another partition's events right after it
    // starts, inside the idle interval; nothing else is appended. Its checkpoint must still reach
    // the head in the store (before: it stayed behind in memory until some later event came).
    const eventStore = await seeded(60);
    const store = new InMemoryProjectionStore();
    const mine = partitionOf('C1', PARTITIONS);
    const other = CUSTOMERS.find((c) => partitionOf(c, PARTITIONS) !== mine) ?? 'never';
    const runner = makeRunner(eventStore, store, new StaticPartitionAssigner([mine]));
    const seededHead = await eventStore.headPosition();
    await runner.start();
    await expectEventually(() => expect(store.checkpoint('customer-360', mine)).toBe(seededHead), { timeoutMs: 3_000 });
    await runner.waitForState(['live']);
    await appendHistory(eventStore, [{ streamId: `customer-${other}`, event: { eventId: randomUUID(), type: 'BranchVisited', version: 1, data: {}, occurredAt: new Date(0) } }]);
    const head = await eventStore.headPosition();
    await expectEventually(() => expect(store.checkpoint('customer-360', mine)).toBe(head), { timeoutMs: 3_000 });
    expect(runner.status().state).toBe('live');
    await runner.stop();
  });
});

describe('ProjectionRunner state at the head', () => {
  it('reports live after a full batch that ends exactly at the head (no later event needed to say so)', async () => {
    const eventStore = new InMemoryEventStore();
    const store = new InMemoryProjectionStore();
    const runner = makeRunner(eventStore, store, undefined, { maxSize: 7 });
    await runner.start();
    await runner.waitForState(['live']);
    // Exactly one full batch (7 events, available at once): the batch says "not drained", and
    // the next read waits for an event that never comes.
    await appendHistory(
      eventStore,
      Array.from({ length: 7 }, (_, i) => ({ streamId: `customer-${CUSTOMERS[i % CUSTOMERS.length] ?? 'C1'}`, event: { eventId: randomUUID(), type: 'BranchVisited', version: 1, data: {}, occurredAt: new Date(0) } })),
    );
    const head = await eventStore.headPosition();
    await expectEventually(() => expect(runner.status().position).toBe(head.toString()), { timeoutMs: 3_000 });
    await expectEventually(() => expect(runner.status().state).toBe('live'), { timeoutMs: 2_000 });
    await runner.stop();
  });
});

describe('ProjectionRunner batch sizing and the prepare hook', () => {
  it('grows batches while catching up (up to catchUpMaxSize), drops back once live, and prepares each batch once before applying it', async () => {
    const eventStore = await seeded(400);
    const store = new InMemoryProjectionStore();
    const base = customer360Projection();
    const calls: string[] = [];
    const definition = {
      ...base,
      async prepare(customers: readonly { customerId: string }[]) {
        calls.push(`prepare:${customers.map((c) => c.customerId).join(',')}`);
      },
      async apply(...args: Parameters<typeof base.apply>) {
        calls.push(`apply:${args[0].customerId}`);
        await base.apply(...args);
      },
    };
    const events: RunnerEvent[] = [];
    const runner = new ProjectionRunner({
      definition,
      eventStore,
      store,
      assigner: new StaticPartitionAssigner(allPartitions(PARTITIONS)),
      workerId: 'w1',
      partitionCount: PARTITIONS,
      batch: { maxSize: 5, maxLatencyMs: 200, catchUpMaxSize: 40 },
      hooks: { onEvent: (e) => events.push(e) },
    });
    await runner.start();
    await expectEqualsFold(eventStore, store);
    const sizes = (): number[] => events.flatMap((e) => (e.kind === 'committed' ? [e.events] : []));
    // Catch-up: 5, 10, 20, then capped at 40.
    expect(sizes().slice(0, 3)).toEqual([5, 10, 20]);
    expect(Math.max(...sizes())).toBe(40);
    // Every batch: one prepare naming its customers in apply order, then their applies.
    let expected: string[] = [];
    for (const call of calls) {
      if (call.startsWith('prepare:')) {
        expect(expected).toEqual([]);
        expected = call.slice('prepare:'.length).split(',');
      } else expect(call).toBe(`apply:${expected.shift() ?? '?'}`);
    }
    // Live again: a trickle goes in small batches.
    const committedBefore = sizes().length;
    await appendHistory(eventStore, historyFromOps(CUSTOMERS, seededOps(11, 3, CUSTOMERS.length)).slice(CUSTOMERS.length));
    await expectEqualsFold(eventStore, store);
    expect(Math.max(...sizes().slice(committedBefore))).toBeLessThanOrEqual(5);
    await runner.stop();
  });

  it('keeps growing catch-up batches when reads are slower than the live latency (the head, not the cut, says behind)', async () => {
    const eventStore = await seeded(300);
    // Every third event is a slow read (a page from a busy database): the live latency (5 ms)
    // cuts a batch after two or three events however far behind the reader is.
    const subscribe = eventStore.subscribeToAll.bind(eventStore);
    eventStore.subscribeToAll = (options) => {
      const inner = subscribe(options);
      return {
        stop: () => inner.stop(),
        async *[Symbol.asyncIterator]() {
          let n = 0;
          for await (const event of inner) {
            if (++n % 3 === 0) await new Promise((r) => setTimeout(r, 15));
            yield event;
          }
        },
      };
    };
    const events: RunnerEvent[] = [];
    const store = new InMemoryProjectionStore();
    const batch = { maxSize: 4, maxLatencyMs: 5, catchUpMaxSize: 32, catchUpMaxLatencyMs: 2_000 };
    const runner = makeRunner(eventStore, store, undefined, { events, batch });
    await runner.start();
    const head = (await eventStore.headPosition()).toString();
    await expectEventually(() => expect(runner.status().position).toBe(head), { timeoutMs: 10_000 });
    const sizes = events.flatMap((e) => (e.kind === 'committed' ? [e.events] : []));
    // The first batch is cut by the live latency; behind the head, the next ones grow to 32.
    expect(sizes[0]).toBeLessThan(4);
    expect(sizes.filter((n) => n === 32).length).toBeGreaterThanOrEqual(5);
    await expectEqualsFold(eventStore, store);
    await expectEventually(() => expect(runner.status().state).toBe('live'));
    await runner.stop();
  });

  it('stops growing catch-up batches at about catchUpMaxCustomers customers (a batch’s memory is its rows)', async () => {
    const many = Array.from({ length: 60 }, (_, i) => `M${i}`);
    const eventStore = new InMemoryEventStore();
    await appendHistory(eventStore, historyFromOps(many, seededOps(5, 900, many.length)));
    const events: RunnerEvent[] = [];
    const store = new InMemoryProjectionStore();
    const batch = { maxSize: 5, maxLatencyMs: 200, catchUpMaxSize: 400, catchUpMaxCustomers: 12 };
    const runner = makeRunner(eventStore, store, undefined, { events, batch });
    await runner.start();
    await expectEqualsFold(eventStore, store);
    const committed = events.flatMap((e) => (e.kind === 'committed' ? [e] : []));
    // Growth stops near 12 customers (an estimate from the batch before: some slack), far
    // below the 60 customers a 400-event batch would hold.
    expect(Math.max(...committed.map((c) => c.events))).toBeGreaterThan(5);
    expect(Math.max(...committed.map((c) => c.customers))).toBeLessThanOrEqual(24);
    expect(Math.max(...committed.map((c) => c.events))).toBeLessThan(60);
    await runner.stop();
  });

  it('a caller that sets only maxSize gets fixed batches (no growth)', async () => {
    const eventStore = await seeded(100);
    const store = new InMemoryProjectionStore();
    const events: RunnerEvent[] = [];
    const runner = makeRunner(eventStore, store, undefined, { events, maxSize: 7 });
    await runner.start();
    await expectEqualsFold(eventStore, store);
    expect(Math.max(...events.flatMap((e) => (e.kind === 'committed' ? [e.events] : [])))).toBeLessThanOrEqual(7);
    await runner.stop();
  });
});
