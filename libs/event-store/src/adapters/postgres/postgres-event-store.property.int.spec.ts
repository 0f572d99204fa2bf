/**
 * Property: many concurrent writers (each its own connection) append random batches to
 * random streams with random expectations while catch-up subscribers run. Every subscriber
 * sees every committed event exactly once, in global order; per-stream revisions are
 * contiguous; every optimistic-concurrency conflict is reported and leaves no trace.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { Pool } from 'pg';
import { createTestDatabase, expectEventually, type TestDatabase } from '@c360/testing';
import type { NewEvent, RecordedEvent } from '../../envelope';
import { WrongExpectedRevisionError } from '../../errors';
import type { AllSubscription, ExpectedRevision } from '../../event-store.port';
import { migratePostgresEventStore } from './postgres-schema';
import { PostgresEventStore } from './postgres-event-store';

jest.setTimeout(120_000);

const WRITERS = 4;
const STREAMS = 5;

type Expectation = 'any' | 'exact' | 'no_stream' | 'stream_exists';
interface Op {
  readonly writer: number;
  readonly stream: number;
  readonly size: number;
  readonly expectation: Expectation;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  writer: fc.integer({ min: 0, max: WRITERS - 1 }),
  stream: fc.integer({ min: 0, max: STREAMS - 1 }),
  size: fc.integer({ min: 1, max: 5 }),
  expectation: fc.constantFrom<Expectation>('any', 'exact', 'exact', 'no_stream', 'stream_exists'),
});

let db: TestDatabase;
let writerPools: Pool[];
let readerPool: Pool;

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 2 });
  writerPools = Array.from({ length: WRITERS }, () => db.createPool({ max: 1 }));
  readerPool = db.createPool({ max: 4 });
});

afterAll(async () => {
  await db?.drop();
});

function collector(subscription: AllSubscription): {
  received: RecordedEvent[];
  ended: Promise<void>;
} {
  const received: RecordedEvent[] = [];
  const ended = (async () => {
    for await (const e of subscription) received.push(e);
  })();
  return { received, ended };
}

function assertExactlyOnceInOrder(
  received: readonly RecordedEvent[],
  expectedIds: readonly string[],
): void {
  expect(new Set(received.map((e) => e.eventId)).size).toBe(received.length);
  for (let i = 1; i < received.length; i++) {
    expect(received[i]?.globalPosition).toBeGreaterThan(received[i - 1]?.globalPosition ?? 0n);
  }
  expect([...received.map((e) => e.eventId)].sort()).toEqual([...expectedIds].sort());
}

async function runScenario(ops: readonly Op[]): Promise<void> {
  const schema = `prop_${randomBytes(4).toString('hex')}`;
  await migratePostgresEventStore(readerPool, schema);
  const options = { schema, pageSize: 7, pollIntervalMs: 15 };
  // subscribers use their own store instance: no in-process wake-up, they must find events by polling
  const reader = new PostgresEventStore(readerPool, options);
  const writers = writerPools.map((p) => new PostgresEventStore(p, options));
  const streamId = (n: number): string => `${n % 2 === 0 ? 'even' : 'odd'}-${n}`;

  const all = collector(reader.subscribeToAll());
  const odd = collector(reader.subscribeToAll({ filter: { streamPrefixes: ['odd-'] } }));
  const committed = new Map<string, { streamId: string; revision: number }>();
  const refused: string[] = [];
  const lateEnded: Promise<void>[] = [];

  try {
    await Promise.all(
      writers.map(async (store, w) => {
        const view = new Map<number, number>(); // this writer's (possibly stale) idea of each stream
        for (const op of ops.filter((o) => o.writer === w)) {
          const events: NewEvent[] = Array.from({ length: op.size }, (_, i) => ({
            eventId: randomUUID(),
            type: 'ThingHappened',
            version: 1,
            data: { w, i },
          }));
          const expectedRevision: ExpectedRevision =
            op.expectation === 'exact' ? (view.get(op.stream) ?? 0) : op.expectation;
          try {
            const r = await store.appendToStream(streamId(op.stream), events, { expectedRevision });
            expect(r.written).toBe(op.size);
            events.forEach((e, i) =>
              committed.set(e.eventId, {
                streamId: streamId(op.stream),
                revision: r.nextExpectedRevision - op.size + 1 + i,
              }),
            );
            view.set(op.stream, r.nextExpectedRevision);
          } catch (e) {
            // the only acceptable failure is a reported conflict
            expect(e).toBeInstanceOf(WrongExpectedRevisionError);
            const actual = (e as WrongExpectedRevisionError).actual;
            if (actual !== 'no_stream') view.set(op.stream, actual);
            refused.push(...events.map((x) => x.eventId));
          }
        }
      }),
    );

    const committedIds = [...committed.keys()];
    const oddIds = committedIds.filter((id) => committed.get(id)?.streamId.startsWith('odd-'));
    await expectEventually(
      () => {
        expect(all.received.length).toBeGreaterThanOrEqual(committedIds.length);
        expect(odd.received.length).toBeGreaterThanOrEqual(oddIds.length);
      },
      { timeoutMs: 30_000 },
    );
    // a late subscriber from a mid-history checkpoint: catch-up only
    const checkpoint = all.received[Math.floor(all.received.length / 2)]?.globalPosition ?? 0n;
    const late = collector(reader.subscribeToAll({ after: checkpoint }));
    lateEnded.push(late.ended);
    const afterCheckpoint = all.received
      .filter((e) => e.globalPosition > checkpoint)
      .map((e) => e.eventId);
    await expectEventually(
      () => expect(late.received.length).toBeGreaterThanOrEqual(afterCheckpoint.length),
      {
        timeoutMs: 30_000,
      },
    );

    assertExactlyOnceInOrder(all.received, committedIds);
    assertExactlyOnceInOrder(odd.received, oddIds);
    assertExactlyOnceInOrder(late.received, afterCheckpoint);
    expect(late.received.map((e) => e.eventId)).toEqual(afterCheckpoint);

    // readAll agrees with the subscriber's order
    const readAll: string[] = [];
    for await (const e of reader.readAll()) readAll.push(e.eventId);
    expect(readAll).toEqual(all.received.map((e) => e.eventId));

    // each stream: contiguous revisions, exactly the committed events at the revisions reported
    for (let n = 0; n < STREAMS; n++) {
      const stream: RecordedEvent[] = [];
      for await (const e of reader.readStream(streamId(n))) stream.push(e);
      expect(stream.map((e) => e.revision)).toEqual(stream.map((_, i) => i));
      for (const e of stream)
        expect(committed.get(e.eventId)).toEqual({ streamId: streamId(n), revision: e.revision });
    }
    // conflicts were reported and left no trace
    const stored = new Set(readAll);
    expect(refused.filter((id) => stored.has(id))).toEqual([]);
    expect(stored.size).toBe(committed.size);
  } finally {
    await reader.close();
    await Promise.all([all.ended, odd.ended, ...lateEnded]);
    await readerPool.query(`DROP SCHEMA ${schema} CASCADE`);
  }
}

describe('property: concurrent writers and catch-up subscribers', () => {
  it('every subscriber sees every committed event exactly once, in global order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 8, maxLength: 60 }), (ops) => runScenario(ops)),
      { numRuns: 8, endOnFailure: true },
    );
  });
});
