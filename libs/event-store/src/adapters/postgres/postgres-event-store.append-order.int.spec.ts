/**
 * Per-stream order in the global order under concurrent appends (invariant I2 at the source):
 * within a stream, a higher revision always has a higher global position. A position is the
 * appending transaction's id; the bug this pins (migration 004) let a multi-stream append take
 * its id on its first stream, wait for a later stream's lock, and end up with the higher
 * revision at the lower position — a projection then skipped the other event as a redelivery.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { createTestDatabase, expectEventually, type TestDatabase } from '@c360/testing';
import type { NewEvent, RecordedEvent } from '../../envelope';
import { migratePostgresEventStore } from './postgres-schema';
import { PostgresEventStore } from './postgres-event-store';

jest.setTimeout(120_000);

let db: TestDatabase;
let store: PostgresEventStore;
let schema: string;

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 12 });
  schema = `es_${randomBytes(4).toString('hex')}`;
  await migratePostgresEventStore(db.pool, schema);
  store = new PostgresEventStore(db.pool, { schema });
});

afterAll(async () => {
  await store?.close();
  await db?.drop();
});

const ev = (n: number): NewEvent => ({ eventId: randomUUID(), type: 'ThingHappened', version: 1, data: { n } });

async function readAllOf(prefix: string): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of store.readAll({ filter: { streamPrefixes: [prefix] } })) out.push(e);
  return out;
}

/** Every stream's revisions appear 0, 1, 2… in the global order: no gap, no inversion. */
function expectStreamOrder(all: readonly RecordedEvent[]): void {
  const next = new Map<string, number>();
  const inversions: string[] = [];
  for (const e of all) {
    const expected = next.get(e.streamId) ?? 0;
    if (e.revision !== expected) inversions.push(`${e.streamId}: revision ${e.revision} where ${expected} was due`);
    next.set(e.streamId, Math.max(expected, e.revision + 1));
  }
  expect(inversions).toEqual([]);
}

describe('PostgresEventStore: per-stream order within the global order', () => {
  it('a multi-stream append takes every stream lock before it takes a transaction id', async () => {
    const tag = `o-${randomBytes(3).toString('hex')}`;
    const [a, b] = [`${tag}-a`, `${tag}-b`];
    // Someone holds stream b (an append in an open transaction).
    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT * FROM ${schema}.append_events($1, 'any', $2::jsonb)`, [
        b,
        JSON.stringify([{ ord: 1, event_id: randomUUID(), type: 'ThingHappened', version: 1, data: { n: 0 } }]),
      ]);
      const multi = store.appendToStreams([
        { streamId: a, events: [ev(1)] },
        { streamId: b, events: [ev(2)] },
      ]);
      // The multi-stream append waits for b's lock without having written a (no transaction id yet).
      await expectEventually(
        async () => {
          const waiting = await db.pool.query<{ xid: string | null }>(
            `SELECT a.backend_xid::text AS xid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
              WHERE l.locktype = 'advisory' AND NOT l.granted AND a.query LIKE '%append_events_many%'`,
          );
          expect(waiting.rows).toEqual([{ xid: null }]);
        },
        { timeoutMs: 10_000 },
      );
      // Another append to b queues too; then the holder commits.
      const single = store.appendToStream(b, [ev(3)]);
      await new Promise((r) => setTimeout(r, 100));
      await holder.query('COMMIT');
      await Promise.all([multi, single]);
    } finally {
      holder.release();
    }
    // Other suites' open transactions may hold the read horizon back for a moment.
    await expectEventually(async () => expect(await readAllOf(`${tag}-`)).toHaveLength(4), { timeoutMs: 20_000 });
    expectStreamOrder(await readAllOf(`${tag}-`));
  });

  it('concurrent single- and multi-stream appends over shared streams keep every stream in order (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.uniqueArray(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }), { minLength: 5, maxLength: 15 }), {
          minLength: 4,
          maxLength: 8,
        }),
        async (writers) => {
          const tag = `p-${randomBytes(3).toString('hex')}`;
          let n = 0;
          // Each writer runs its appends one after another; writers run at once.
          await Promise.all(
            writers.map(async (appends) => {
              for (const streams of appends) {
                const batch = streams.map((s) => ({ streamId: `${tag}-${s}`, events: [ev(n++), ev(n++)] }));
                if (batch.length === 1 && batch[0]) await store.appendToStream(batch[0].streamId, batch[0].events);
                else await store.appendToStreams(batch);
              }
            }),
          );
          await expectEventually(async () => expect(await readAllOf(`${tag}-`)).toHaveLength(n), { timeoutMs: 20_000 });
          expectStreamOrder(await readAllOf(`${tag}-`));
        },
      ),
      { numRuns: 12 },
    );
  });
});
