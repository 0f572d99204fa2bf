/**
 * Bounded memory: reading a long history holds one page at a time. Checked twice: no query
 * of the adapter returns more than pageSize rows, and the heap (after GC) stays flat while
 * 200,000 events (60 MB of payload strings alone) stream through.
 */
import { randomBytes } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Pool, QueryResult } from 'pg';
import { createTestDatabase, type TestDatabase } from '@c360/testing';
import { migratePostgresEventStore } from './postgres-schema';
import { PostgresEventStore } from './postgres-event-store';

jest.setTimeout(180_000);

const EVENTS = 200_000;
const PAGE = 500;

let db: TestDatabase;
let schema: string;
let pool: Pool;
let maxRowsPerQuery = 0;
let queries = 0;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

beforeAll(async () => {
  db = await createTestDatabase({ poolMax: 2 });
  pool = db.pool;
  schema = `mem_${randomBytes(4).toString('hex')}`;
  await migratePostgresEventStore(pool, schema);
  // bulk history straight into the table (the append path is not under test here), in 4 transactions
  for (let part = 0; part < 4; part++) {
    await pool.query(
      `INSERT INTO ${schema}.events (transaction_id, seq, event_id, stream_id, revision, type, version, data, metadata, occurred_at)
       SELECT pg_current_xact_id(), g, gen_random_uuid(), 'customer-' || (g % 1000), $1::int * 1000 + g / 1000,
              'ThingHappened', 1, jsonb_build_object('g', g, 'pad', repeat('x', 300)), '{}', now()
         FROM generate_series(1, $2::int) g`,
      [part, EVENTS / 4],
    );
  }
  // count rows per query the adapter makes
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<QueryResult>;
  (pool as unknown as { query: (...args: unknown[]) => Promise<QueryResult> }).query = async (
    ...args
  ) => {
    const result = await query(...args);
    queries++;
    maxRowsPerQuery = Math.max(maxRowsPerQuery, result.rows.length);
    return result;
  };
});

afterAll(async () => {
  await db?.drop();
});

beforeEach(() => {
  maxRowsPerQuery = 0;
  queries = 0;
});

const heapMb = (): number => {
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

describe('bounded memory', () => {
  it('readAll over 200k events: one page per query, heap flat', async () => {
    const store = new PostgresEventStore(pool, { schema, pageSize: PAGE });
    const baseline = heapMb();
    let peak = baseline;
    let n = 0;
    let last = 0n;
    let outOfOrder = 0;
    for await (const e of store.readAll()) {
      // counted, not expect()ed per event: 200k expect calls would dominate the run time
      if (e.globalPosition <= last) outOfOrder++;
      last = e.globalPosition;
      n++;
      if (n % 20_000 === 0) peak = Math.max(peak, heapMb());
    }
    expect(n).toBe(EVENTS);
    expect(outOfOrder).toBe(0);
    expect(maxRowsPerQuery).toBeLessThanOrEqual(PAGE);
    expect(queries).toBeGreaterThanOrEqual(EVENTS / PAGE);
    // keeping them all would hold 60+ MB of payload alone; one page is about 0.3 MB
    expect(peak - baseline).toBeLessThan(30);
  });

  it('readStream and a subscription read ahead at most one page', async () => {
    const store = new PostgresEventStore(pool, { schema, pageSize: PAGE });
    let n = 0;
    for await (const e of store.readStream('customer-7')) {
      expect(e.streamId).toBe('customer-7');
      n++;
    }
    expect(n).toBe(EVENTS / 1000);

    maxRowsPerQuery = 0;
    queries = 0;
    const subscription = store.subscribeToAll();
    const it = subscription[Symbol.asyncIterator]();
    for (let i = 0; i < 10; i++) expect((await it.next()).done).toBe(false);
    // ten events consumed of 200k: the adapter has fetched a single page, not the history
    expect(queries).toBe(1);
    expect(maxRowsPerQuery).toBe(PAGE);
    await subscription.stop();
    expect((await it.next()).done).toBe(true);
    expect(queries).toBe(1);
  });
});
