/** PostgreSQL-specific behaviour: F14 concurrent writers, races on event ids, storage details. */
import { randomBytes, randomUUID } from 'node:crypto';
import { createTestDatabase, expectEventually, type TestDatabase } from '@c360/testing';
import type { NewEvent } from '../../envelope';
import { EventStoreError, EventStoreErrorCode, WrongExpectedRevisionError } from '../../errors';
import { decodePosition, encodePosition } from './global-position';
import { migratePostgresEventStore } from './postgres-schema';
import { PostgresEventStore } from './postgres-event-store';

// jest's testTimeout is a global option, ignored inside `projects`: set it for this file
jest.setTimeout(60_000);

let db: TestDatabase;
let store: PostgresEventStore;
let schema: string;

const CONNECTIONS = 20;

beforeAll(async () => {
  // enough connections that the 50 appends really race inside the database
  db = await createTestDatabase({ poolMax: CONNECTIONS });
});

afterAll(async () => {
  await db?.drop();
});

beforeEach(async () => {
  schema = `es_${randomBytes(4).toString('hex')}`;
  await migratePostgresEventStore(db.pool, schema);
  store = new PostgresEventStore(db.pool, { schema });
});

afterEach(async () => {
  await store.close();
});

const ev = (data: NewEvent['data'] = {}): NewEvent => ({
  eventId: randomUUID(),
  type: 'ThingHappened',
  version: 1,
  data,
});

async function readIds(streamId: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of store.readStream(streamId)) out.push(e.eventId);
  return out;
}

describe('F14 concurrent writers on one stream', () => {
  it('50 appends with the same expected revision: exactly one wins, 49 get WrongExpectedRevisionError', async () => {
    await store.appendToStream('account-1', [ev()], { expectedRevision: 'no_stream' });
    const batches = Array.from({ length: 50 }, () => [ev(), ev()]);
    const results = await Promise.allSettled(
      batches.map((b) => store.appendToStream('account-1', b, { expectedRevision: 0 })),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    for (const e of lost) {
      expect(e).toBeInstanceOf(WrongExpectedRevisionError);
      expect((e as WrongExpectedRevisionError).actual).toBe(2);
    }
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    const ids = await readIds('account-1');
    expect(ids).toHaveLength(3);
    expect(ids.slice(1)).toEqual(batches[winner]?.map((e) => e.eventId));
  });

  it('50 concurrent no_stream appends: one creates the stream, 49 conflict', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () =>
        store.appendToStream('account-2', [ev()], { expectedRevision: 'no_stream' }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(lost.every((e) => e instanceof WrongExpectedRevisionError && e.actual === 0)).toBe(true);
    expect(await readIds('account-2')).toHaveLength(1);
  });

  it('with expectation any, 50 concurrent appends all land with contiguous revisions', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => store.appendToStream('account-3', [ev(), ev()])),
    );
    expect(results.map((r) => r.nextExpectedRevision).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => 2 * i + 1),
    );
    const revisions: number[] = [];
    for await (const e of store.readStream('account-3')) revisions.push(e.revision);
    expect(revisions).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('event id races', () => {
  it('the same new event raced into two streams: one wins, the other gets EventIdConflict', async () => {
    for (let round = 0; round < 50; round++) {
      const e = ev({ round });
      const results = await Promise.allSettled([
        store.appendToStream(`race-a-${round}`, [e]),
        store.appendToStream(`race-b-${round}`, [e]),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const [error] = results.flatMap((r) =>
        r.status === 'rejected' ? [r.reason as unknown] : [],
      );
      expect(error).toBeInstanceOf(EventStoreError);
      expect((error as EventStoreError).code).toBe(EventStoreErrorCode.EventIdConflict);
    }
  });

  it('the same batch raced into one stream (a retried delivery): all succeed, it is written once', async () => {
    const batch = [ev(), ev(), ev()];
    const results = await Promise.all(
      Array.from({ length: 10 }, () => store.appendToStream('retried', batch)),
    );
    expect(results.map((r) => r.written).sort()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 3]);
    expect(new Set(results.map((r) => r.position)).size).toBe(1);
    expect(await readIds('retried')).toEqual(batch.map((e) => e.eventId));
  });

  it('a batch overlapping an earlier one (expectation any) writes only the new events', async () => {
    const [a, b, c] = [ev(), ev(), ev()];
    await store.appendToStream('overlap', [a, b]);
    const r = await store.appendToStream('overlap', [b, c]);
    expect(r).toMatchObject({ written: 1, nextExpectedRevision: 2 });
    expect(await readIds('overlap')).toEqual([a, b, c].map((e) => e.eventId));
  });
});

describe('storage', () => {
  it('refuses values jsonb cannot hold (NUL, lone surrogates) as InvalidEvent, writing nothing', async () => {
    for (const bad of ['a\u0000b', '\ud800']) {
      let caught: unknown;
      try {
        await store.appendToStream('weird', [ev({ ok: 1 }), ev({ text: bad })]);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(EventStoreError);
      expect((caught as EventStoreError).code).toBe(EventStoreErrorCode.InvalidEvent);
    }
    expect(await readIds('weird')).toEqual([]);
  });

  it('stores injection-looking and unicode text verbatim', async () => {
    const text = `'; DROP TABLE events; -- \u202e ${'\u0041\u030a'} 😀 \r\n {{7*7}}`;
    await store.appendToStream('verbatim', [ev({ text })]);
    for await (const e of store.readStream('verbatim')) expect(e.data).toEqual({ text });
  });

  it('rows are append-only: updates and deletes are refused by the database', async () => {
    await store.appendToStream('immutable', [ev()]);
    await expect(db.pool.query(`UPDATE ${schema}.events SET data = '{}'`)).rejects.toMatchObject({
      code: 'C3E09',
    });
    await expect(db.pool.query(`DELETE FROM ${schema}.events`)).rejects.toMatchObject({
      code: 'C3E09',
    });
  });

  it('positions encode (xid8, seq) in one bigint beyond 2^64 and round-trip', async () => {
    const r = await store.appendToStream('pos', [ev(), ev()]);
    const { transactionId, seq } = decodePosition(r.position);
    expect(seq).toBe('2');
    const row = await db.pool.query<{ txid: string }>(
      `SELECT transaction_id::text AS txid FROM ${schema}.events WHERE stream_id = 'pos' LIMIT 1`,
    );
    expect(transactionId).toBe(row.rows[0]?.txid);
    expect(r.position).toBeGreaterThan(2n ** 64n);
    expect(encodePosition(transactionId, seq)).toBe(r.position);
  });

  it('migrations are idempotent and safe to run concurrently', async () => {
    const s = `es_${randomBytes(4).toString('hex')}`;
    const applied = await Promise.all([1, 2, 3].map(() => migratePostgresEventStore(db.pool, s)));
    // Each migration is applied exactly once, whichever of the racers applies it.
    expect(applied.flat().sort()).toEqual(['001-events', '002-append-ignores-trace', '003-append-index-lookups', '004-append-locks-before-id', '005-append-many-set-based']);
    expect(await migratePostgresEventStore(db.pool, s)).toEqual([]);
  });

  it('reports an unreachable database as STORE_UNAVAILABLE', async () => {
    const { Pool } = await import('pg');
    const dead = new Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMillis: 2000,
    });
    const unreachable = new PostgresEventStore(dead, { schema });
    try {
      await expect(unreachable.appendToStream('x', [ev()])).rejects.toMatchObject({
        code: EventStoreErrorCode.Unavailable,
      });
      await expect(unreachable.headPosition()).rejects.toMatchObject({
        code: EventStoreErrorCode.Unavailable,
      });
    } finally {
      await dead.end();
    }
  });
});

describe('filtered reads over a log where matches are sparse', () => {
  it('finds every match however many pages of other events lie between them: readAll (with maxCount) and a subscription', async () => {
    const paged = new PostgresEventStore(db.pool, { schema, pageSize: 50, pollIntervalMs: 20 });
    const wanted: string[] = [];
    let last = 0n;
    for (let i = 0; i < 3; i++) {
      // 120 other events (more than two pages), then one of the wanted type on another stream
      for (let j = 0; j < 4; j++) await paged.appendToStream(`noise-${i}`, Array.from({ length: 30 }, () => ev()));
      const e = { ...ev(), type: 'RareThing' };
      wanted.push(e.eventId);
      last = (await paged.appendToStream(`rare-${i}`, [e])).position;
    }
    // A read sees what lies below the horizon: other tests' transactions still open may hold it back a moment.
    await expectEventually(async () => expect(await paged.headPosition()).toBeGreaterThanOrEqual(last));
    const collect = async (it: AsyncIterable<{ eventId: string }>): Promise<string[]> => {
      const out: string[] = [];
      for await (const e of it) out.push(e.eventId);
      return out;
    };
    expect(await collect(paged.readAll({ filter: { eventTypes: ['RareThing'] } }))).toEqual(wanted);
    expect(await collect(paged.readAll({ filter: { streamPrefixes: ['rare-'] } }))).toEqual(wanted);
    expect(await collect(paged.readAll({ filter: { eventTypes: ['RareThing'] }, maxCount: 2 }))).toEqual(wanted.slice(0, 2));
    expect(await collect(paged.readAll({ filter: { eventTypes: ['NothingOfThat'] } }))).toEqual([]);
    const subscription = paged.subscribeToAll({ filter: { eventTypes: ['RareThing'] } });
    const received: string[] = [];
    for await (const e of subscription) {
      received.push(e.eventId);
      if (received.length === wanted.length) break;
    }
    expect(received).toEqual(wanted);
    await paged.close();
  });
});
